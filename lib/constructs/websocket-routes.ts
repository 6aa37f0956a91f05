import { Duration } from 'aws-cdk-lib';
import { type IWebSocketApi, WebSocketRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { WS_ROUTES, type WsRouteDefinition } from '#functions/shared/ws-routes';
import { grantTable, grantTokenUseRecord } from '../table-access';
import { CoordFunction, type CoordFunctionProps } from './coord-function';

// Route responses are only meaningful for client messages, not for the connection's life cycle.
const CONNECTION_ROUTE_KEYS: ReadonlySet<string> = new Set(['$connect', '$disconnect']);

/** Properties of {@link WebSocketRoutes}. */
export interface WebSocketRoutesProps {
  /** The WebSocket API the routes are added to. */
  readonly webSocketApi: IWebSocketApi;
  /** The Connections table: every handler reads and writes it. */
  readonly connectionsTable: ITable;
  /** The other tables: handlers read them to authorize channels (tokens, work items, agents). */
  readonly readTables: readonly ITable[];
  /** Secrets the handlers verify tokens against (admin token, registration key). */
  readonly authSecrets: readonly ISecret[];
  /** Grants the right to post to and drop connections (`execute-api:ManageConnections`). */
  readonly grantManageConnections: (grantee: IGrantable) => void;
  /**
   * The handlers to declare.
   * @default every handler of `ws-routes.ts`
   */
  readonly routes?: readonly WsRouteDefinition[];
  /**
   * Settings shared by every handler's function (environment, memory, bundling, project root).
   * @default the {@link CoordFunction} defaults
   */
  readonly functionDefaults?: Omit<CoordFunctionProps, 'entry'>;
}

/**
 * One function per entry of the WebSocket route table and one route per route key it answers,
 * all keys of a handler sharing one Lambda integration. `$connect` has no authorizer: its handler
 * reads the token from the query string and answers 401, which API Gateway returns at the upgrade.
 */
export class WebSocketRoutes extends Construct {
  /** Each handler's function, by handler id. */
  public readonly functions: ReadonlyMap<string, CoordFunction>;
  /** Each API route, by route key. */
  public readonly routes: ReadonlyMap<string, WebSocketRoute>;

  constructor(scope: Construct, id: string, props: WebSocketRoutesProps) {
    super(scope, id);
    const functions = new Map<string, CoordFunction>();
    const routes = new Map<string, WebSocketRoute>();

    for (const definition of props.routes ?? WS_ROUTES) {
      const handler = new CoordFunction(this, definition.id, {
        ...props.functionDefaults,
        entry: definition.entry,
        ...(definition.timeoutSeconds !== undefined && {
          timeout: Duration.seconds(definition.timeoutSeconds),
        }),
      });
      grantTable(props.connectionsTable, handler, 'readWrite');
      for (const table of props.readTables) {
        grantTable(table, handler, 'read');
        grantTokenUseRecord(table, handler);
      }
      for (const secret of props.authSecrets) secret.grantRead(handler);
      props.grantManageConnections(handler);

      const integration = new WebSocketLambdaIntegration(`${definition.id}Integration`, handler.target);
      for (const routeKey of definition.routeKeys) {
        routes.set(
          routeKey,
          new WebSocketRoute(this, `Route${routeKey}`, {
            webSocketApi: props.webSocketApi,
            routeKey,
            integration,
            // A handler that answers a message (`ping` -> `pong`) may return the reply as its body.
            returnResponse: !CONNECTION_ROUTE_KEYS.has(routeKey),
          }),
        );
      }
      functions.set(definition.id, handler);
    }

    this.functions = functions;
    this.routes = routes;
  }
}
