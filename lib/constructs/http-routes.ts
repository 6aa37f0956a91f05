import { Duration } from 'aws-cdk-lib';
import { HttpMethod, HttpRoute, HttpRouteKey, type IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ROUTES, type RouteDefinition } from '#functions/shared/routes';
import { CoordFunction, type CoordFunctionProps } from './coord-function';

/** Properties of {@link HttpRoutes}. */
export interface HttpRoutesProps {
  /** The API the routes are added to. */
  readonly httpApi: IHttpApi;
  /** The tables the HTTP handlers use; each function gets read or read-write access per `route.grants`. */
  readonly tables: readonly ITable[];
  /** Secrets read by every function that authenticates its caller (all routes that are not public). */
  readonly authSecrets: readonly ISecret[];
  /**
   * The routes to declare.
   * @default every route of `routes.ts`
   */
  readonly routes?: readonly RouteDefinition[];
  /**
   * Settings shared by every route's function (environment, memory, bundling, project root).
   * @default the {@link CoordFunction} defaults
   */
  readonly functionDefaults?: Omit<CoordFunctionProps, 'entry'>;
}

/**
 * One function, one Lambda integration and one API route per entry of the route table, each
 * function granted exactly what its route declares.
 */
export class HttpRoutes extends Construct {
  /** Each route's function, by route id. */
  public readonly functions: ReadonlyMap<string, CoordFunction>;
  /** Each API route, by route id. */
  public readonly routes: ReadonlyMap<string, HttpRoute>;

  constructor(scope: Construct, id: string, props: HttpRoutesProps) {
    super(scope, id);
    const functions = new Map<string, CoordFunction>();
    const routes = new Map<string, HttpRoute>();

    const declared: readonly RouteDefinition[] = props.routes ?? ROUTES;
    for (const route of declared) {
      const handler = new CoordFunction(this, route.id, {
        ...props.functionDefaults,
        ...(route.timeoutSeconds !== undefined && { timeout: Duration.seconds(route.timeoutSeconds) }),
        entry: route.entry,
      });
      for (const table of props.tables) {
        if (route.grants === 'readWrite') table.grantReadWriteData(handler);
        else table.grantReadData(handler);
      }
      if (route.access !== 'public') {
        for (const secret of props.authSecrets) secret.grantRead(handler);
      }

      const httpRoute = new HttpRoute(this, `${route.id}Route`, {
        httpApi: props.httpApi,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration: new HttpLambdaIntegration(`${route.id}Integration`, handler.target),
      });
      functions.set(route.id, handler);
      routes.set(route.id, httpRoute);
    }

    this.functions = functions;
    this.routes = routes;
  }
}
