import { Duration, NestedStack } from 'aws-cdk-lib';
import { HttpMethod, HttpRoute, HttpRouteKey, type IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ROUTES, type RouteDefinition } from '#functions/shared/routes';
import { grantTable, grantTokenUseRecord } from '../table-access';
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

/** The handler of API Gateway's `$default` route: what no route of the table takes. */
export const FALLBACK_ENTRY = 'functions/http/fallback.ts';

/**
 * OpenAPI tags whose routes share another tag's stack, matching the route modules of
 * `functions/shared/routes/` (health and docs are `system.ts`; teams, audit and escalations are
 * `oversight.ts`). Any other tag, a new one included, is its own area.
 */
const AREA_OF_TAG: Readonly<Record<string, string>> = {
  health: 'system',
  docs: 'system',
  teams: 'oversight',
  audit: 'oversight',
  escalations: 'oversight',
  invariants: 'oversight',
  events: 'oversight',
};

/**
 * The area of a route: the nested stack its function, alias, deployment group, alarms,
 * integration and routes live in (`work` for `/v1/work/{id}/claim`). It comes from the route's
 * tag, so a route added to the table lands in its area's stack, and a route with a new tag in a
 * new stack, with no CDK change.
 */
export const routeArea = (route: Pick<RouteDefinition, 'tag'>): string => AREA_OF_TAG[route.tag] ?? route.tag;

/** The construct id of an area's nested stack: `WorkRoutes` for `work`. */
export const areaStackId = (area: string): string => `${area.charAt(0).toUpperCase()}${area.slice(1)}Routes`;

/**
 * One function, one Lambda integration and one API route per entry of the route table, each
 * function granted exactly what its route declares; a `HEAD` route on the same integration for
 * every `GET` route; and the `$default` route to the fallback function, which answers what API
 * Gateway would not route (another method on a known path, `OPTIONS`, an unknown path) as the
 * local gateway does.
 *
 * Each route lives in the nested stack of its area ({@link routeArea}), so the API's stack holds
 * one resource per area instead of about 13 per route and adding routes cannot reach
 * CloudFormation's 500 resources per stack; the fallback stays in the API's stack.
 */
export class HttpRoutes extends Construct {
  /** Each route's function, by route id. */
  public readonly functions: ReadonlyMap<string, CoordFunction>;
  /** Each API route, by route id. */
  public readonly routes: ReadonlyMap<string, HttpRoute>;
  /** The `HEAD` route of each `GET` route, by route id. */
  public readonly headRoutes: ReadonlyMap<string, HttpRoute>;
  /** The function of the `$default` route; it reads no table and no secret. */
  public readonly fallback: CoordFunction;
  /** API Gateway's `$default` route. */
  public readonly fallbackRoute: HttpRoute;
  /** The nested stack of each area, by area (`work`, `agents`...). */
  public readonly areas: ReadonlyMap<string, NestedStack>;

  constructor(scope: Construct, id: string, props: HttpRoutesProps) {
    super(scope, id);
    const functions = new Map<string, CoordFunction>();
    const routes = new Map<string, HttpRoute>();
    const headRoutes = new Map<string, HttpRoute>();
    const areas = new Map<string, NestedStack>();
    const areaStack = (area: string): NestedStack => {
      let stack = areas.get(area);
      if (!stack) {
        stack = new NestedStack(this, areaStackId(area), {
          description: `Functions and routes of the ${area} area of the HTTP API`,
        });
        areas.set(area, stack);
      }
      return stack;
    };

    const declared: readonly RouteDefinition[] = props.routes ?? ROUTES;
    for (const route of declared) {
      const areaScope = areaStack(routeArea(route));
      const handler = new CoordFunction(areaScope, route.id, {
        ...props.functionDefaults,
        ...(route.timeoutSeconds !== undefined && { timeout: Duration.seconds(route.timeoutSeconds) }),
        entry: route.entry,
        httpRoute: route.id,
      });
      for (const table of props.tables) grantTable(table, handler, route.grants);
      if (route.access !== 'public') {
        for (const secret of props.authSecrets) secret.grantRead(handler);
        if (route.grants === 'read') {
          for (const table of props.tables) grantTokenUseRecord(table, handler);
        }
      }

      const integration = new HttpLambdaIntegration(`${route.id}Integration`, handler.target);
      const httpRoute = new HttpRoute(areaScope, `${route.id}Route`, {
        httpApi: props.httpApi,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration,
      });
      if (route.method === 'GET') {
        // HEAD is answered as GET, without the body: one more route on the same integration.
        const headRoute = new HttpRoute(areaScope, `${route.id}HeadRoute`, {
          httpApi: props.httpApi,
          routeKey: HttpRouteKey.with(route.path, HttpMethod.HEAD),
          integration,
        });
        headRoutes.set(route.id, headRoute);
      }
      functions.set(route.id, handler);
      routes.set(route.id, httpRoute);
    }

    this.fallback = new CoordFunction(this, 'fallback', { ...props.functionDefaults, entry: FALLBACK_ENTRY });
    this.fallbackRoute = new HttpRoute(this, 'FallbackRoute', {
      httpApi: props.httpApi,
      routeKey: HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration('FallbackIntegration', this.fallback.target),
    });

    this.functions = functions;
    this.routes = routes;
    this.headRoutes = headRoutes;
    this.areas = areas;
  }
}
