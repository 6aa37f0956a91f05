import {
  CfnOutput,
  CrossStackReferences,
  ReferenceStrength,
  RemovalPolicy,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import { type ThrottleSettings, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { eventPartition } from '#adapters/dynamo/keys';
import { connectionsTable, eventsTable, type TableDefinition } from '#adapters/dynamo/tables';
import { STREAM_CONSUMERS, type StreamConsumerDefinition } from '#functions/shared/streams';
import { WS_ROUTE_SELECTION, type WsRouteDefinition } from '#functions/shared/ws-routes';
import { Alarms } from '../constructs/alarms';
import type { CoordFunctionProps } from '../constructs/coord-function';
import { StreamConsumer } from '../constructs/stream-consumer';
import { WebSocketRoutes } from '../constructs/websocket-routes';
import { SERVICE_VERSION } from '../service-version';
import { grantTable } from '../table-access';

/**
 * The variable the WebSocket handlers and stream consumers read the API Gateway management
 * endpoint from (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`); locally it is the
 * runtime's own `@connections` server.
 */
export const MANAGEMENT_ENDPOINT_VARIABLE = 'COORD_WS_CALLBACK_URL';

/** Name of the WebSocket API's one stage. */
export const WS_STAGE_NAME = 'live';

/** Properties of the {@link RealtimeStack}. */
export interface RealtimeStackProps extends StackProps {
  /** Deployment stage, e.g. `dev` or `prod`; handlers read it as `COORD_STAGE`. */
  readonly stage: string;
  /** Prefix of the physical queue and alarm names, e.g. `coord-dev`. */
  readonly namePrefix: string;
  /** Prefix of the physical table names; handlers read it as `COORD_TABLE_PREFIX`. */
  readonly tablePrefix: string;
  /** Every table of the deployment, by definition id; it must include Connections and Events. */
  readonly tables: ReadonlyMap<string, ITable>;
  /** Secrets `$connect` verifies tokens against (the admin token, the registration key). */
  readonly authSecrets: readonly ISecret[];
  /** Environment variables naming those secrets (`COORD_ADMIN_TOKEN_SECRET_ARN`, ...). */
  readonly authEnvironment: Readonly<Record<string, string>>;
  /**
   * Whether this is a production deployment: failure queues and log groups are kept when the stack is deleted.
   * @default false
   */
  readonly isProd?: boolean;
  /**
   * Message rate limits of the stage.
   * @default 100 messages per second steady, bursts of 200
   */
  readonly throttle?: ThrottleSettings;
  /**
   * Where the failure-queue alarms notify.
   * @default a new SNS topic of this stack
   */
  readonly alarmTopic?: ITopic;
  /**
   * The WebSocket handlers.
   * @default every handler of `ws-routes.ts`
   */
  readonly routes?: readonly WsRouteDefinition[];
  /**
   * The stream consumers.
   * @default every consumer of `streams.ts`
   */
  readonly streamConsumers?: readonly StreamConsumerDefinition[];
  /**
   * Settings shared by every function (memory, bundling, project root).
   * @default the CoordFunction defaults
   */
  readonly functionDefaults?: Omit<CoordFunctionProps, 'entry' | 'environment'>;
}

/**
 * Live updates: the WebSocket API (one function per handler of `ws-routes.ts`, routed by the
 * message's `action`) and the DynamoDB stream consumers of `streams.ts` (the broadcaster, the
 * metrics rollup), which post to connections through the API's management endpoint.
 */
export class RealtimeStack extends Stack {
  /** The WebSocket API. */
  public readonly webSocketApi: WebSocketApi;
  /** Its one stage, with throttling. */
  public readonly stage: WebSocketStage;
  /** The handlers and their routes. */
  public readonly routes: WebSocketRoutes;
  /** Each stream consumer, by consumer id. */
  public readonly streamConsumers: ReadonlyMap<string, StreamConsumer>;
  /** The failure-queue alarms and their topic. */
  public readonly alarms: Alarms;

  /** @throws Error when a table the stack needs (Connections, a consumer's table) is missing. */
  constructor(scope: Construct, id: string, props: RealtimeStackProps) {
    super(scope, id, props);
    // Tables and secrets arrive through exports, as in the API stack.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const removalPolicy = props.isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const tableFor = (definition: TableDefinition): ITable => {
      const table = props.tables.get(definition.id);
      if (!table) throw new Error(`The realtime stack needs the ${definition.id} table`);
      return table;
    };
    const connections = tableFor(connectionsTable);
    const otherTables = [...props.tables.entries()]
      .filter(([tableId]) => tableId !== connectionsTable.id)
      .map(([, table]) => table);

    this.webSocketApi = new WebSocketApi(this, 'WebSocketApi', {
      apiName: `coord-${props.stage}-ws`,
      routeSelectionExpression: WS_ROUTE_SELECTION,
    });
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.webSocketApi,
      stageName: WS_STAGE_NAME,
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 100, burstLimit: 200 },
    });

    const environment = {
      COORD_STAGE: props.stage,
      COORD_TABLE_PREFIX: props.tablePrefix,
      COORD_SERVICE_VERSION: SERVICE_VERSION,
      [MANAGEMENT_ENDPOINT_VARIABLE]: this.stage.callbackUrl,
    };
    const functionDefaults = { logRemovalPolicy: removalPolicy, ...props.functionDefaults };
    const grantManageConnections = (grantee: Parameters<WebSocketApi['grantManageConnections']>[0]) => {
      this.webSocketApi.grantManageConnections(grantee);
    };

    this.routes = new WebSocketRoutes(this, 'Routes', {
      webSocketApi: this.webSocketApi,
      connectionsTable: connections,
      readTables: otherTables,
      authSecrets: props.authSecrets,
      grantManageConnections,
      ...(props.routes && { routes: props.routes }),
      functionDefaults: { ...functionDefaults, environment: { ...environment, ...props.authEnvironment } },
    });

    this.alarms = new Alarms(this, 'Alarms', {
      namePrefix: props.namePrefix,
      ...(props.alarmTopic && { topic: props.alarmTopic }),
    });
    const consumers = new Map<string, StreamConsumer>();
    for (const definition of props.streamConsumers ?? STREAM_CONSUMERS) {
      const consumer = new StreamConsumer(this, definition.id, {
        definition,
        table: tableFor(definition.table),
        namePrefix: props.namePrefix,
        // The Events table holds only audit events today; the filter keeps it that way for consumers.
        ...(definition.table.id === eventsTable.id && { partitionKeyPrefix: eventPartition('') }),
        removalPolicy,
        functionDefaults: { ...functionDefaults, environment },
      });
      // Consumers read items (an assignment's claim token) and subscribers, drop gone connections,
      // and keep rollups: streams.ts does not say which consumer needs which, so all get the same.
      for (const table of [connections, ...otherTables]) grantTable(table, consumer.handler, 'readWrite');
      grantManageConnections(consumer.handler);
      this.alarms.addDeadLetterAlarm(`${definition.id}Failures`, consumer.failureQueue, definition.id);
      consumers.set(definition.id, consumer);
    }
    this.streamConsumers = consumers;

    new CfnOutput(this, 'WebSocketUrl', {
      value: this.stage.url,
      description: 'WebSocket URL: connect with ?token=<token>',
    });
    new CfnOutput(this, 'ManagementEndpoint', {
      value: this.stage.callbackUrl,
      description: 'API Gateway management endpoint the broadcaster posts to',
    });
  }
}
