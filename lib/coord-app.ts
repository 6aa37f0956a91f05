import { join } from 'node:path';
import { type App, type Environment, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { LambdaApplication } from 'aws-cdk-lib/aws-codedeploy';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  agentsTable,
  escalationsTable,
  eventsTable,
  metaTable,
  TABLES,
  type TableDefinition,
  workTable,
} from '#adapters/dynamo/tables';
import { escalationsQueue, heartbeatsQueue, webhooksQueue } from '#adapters/sqs/queues';
import { ROUTES } from '#functions/shared/routes';
import { sweeperSchedule } from '#functions/shared/schedules';
import type { Alarms } from './constructs/alarms';
import {
  CoordFunction,
  type CoordFunctionProps,
  functionAlarmName,
  PROJECT_ROOT,
} from './constructs/coord-function';
import { PreTrafficHook } from './constructs/pre-traffic-hook';
import { SWEEPER_RESERVED_CONCURRENCY } from './constructs/sweeper-schedule';
import { ApiStack, queueUrlVariable } from './stacks/api-stack';
import { DataStack } from './stacks/data-stack';
import { EDGE_REGION, EdgeStack } from './stacks/edge-stack';
import { MessagingStack } from './stacks/messaging-stack';
import { ObservabilityStack } from './stacks/observability-stack';
import { RealtimeStack } from './stacks/realtime-stack';
import { WEB_BUILD_DIR, WebStack } from './stacks/web-stack';
import { functionKey, perIpLimitOf, type StageConfig } from './stage-config';
import { denyAuditChanges, grantTable } from './table-access';

/** How one deployment of the service is built. */
export interface CoordAppOptions {
  /** The stage's configuration (see `stage-config.ts`). */
  readonly config: StageConfig;
  /**
   * Account and region of the stacks, used where the config leaves them open.
   * @default environment-agnostic stacks
   */
  readonly env?: Environment;
  /**
   * Settings shared by every function (project root, bundling).
   * @default the CoordFunction defaults
   */
  readonly functionDefaults?: Omit<CoordFunctionProps, 'entry' | 'environment'>;
  /**
   * The dashboard's build output.
   * @default `web/dist` under the project root
   */
  readonly webBuildDir?: string;
}

/** The stacks of one deployment; the optional ones exist when the stage config turns them on. */
export interface CoordStacks {
  readonly data: DataStack;
  readonly messaging: MessagingStack;
  readonly api?: ApiStack;
  readonly realtime?: RealtimeStack;
  readonly web?: WebStack;
  readonly observability?: ObservabilityStack;
  /** The us-east-1 stack of the CloudFront web ACL, when the stage sets `perIpLimit`. */
  readonly edge?: EdgeStack;
}

/**
 * The routes whose canaries run a pre-traffic hook: health (with its store check) and one read
 * route. Both are public, so the hook needs no token (`functions/hooks/pre-traffic.ts`).
 */
export const PRE_TRAFFIC_ROUTES = ['health', 'openapi'] as const;

/** Each pre-traffic route's id with the path its hook asks for, from the route table. */
const PRE_TRAFFIC_PROBES = PRE_TRAFFIC_ROUTES.map((routeId) => {
  const route = ROUTES.find((candidate) => candidate.id === routeId);
  if (route?.method !== 'GET' || route.access !== 'public') {
    throw new Error(`Pre-traffic route ${routeId} must be a public GET route of the route table.`);
  }
  return [routeId, route.path] as const;
});

// The HTTP handlers and the queue consumers never touch the Connections table: the WebSocket side owns it.
const HTTP_TABLES: readonly TableDefinition[] = [
  workTable,
  agentsTable,
  eventsTable,
  metaTable,
  escalationsTable,
];

const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,23}$/;

/**
 * Adds the stacks of one stage to the app, named `coord-<stage>-<part>`; the tables are named
 * `<tablePrefix>-<id>` from the stage config.
 * @throws Error when the stage name is not lower-case letters, digits and dashes, or a function
 * setting names no function.
 */
export const buildCoordApp = (app: App, options: CoordAppOptions): CoordStacks => {
  const { config } = options;
  const { stage, isProd } = config;
  if (!STAGE_PATTERN.test(stage)) {
    throw new Error(`Stage "${stage}" must be lower-case letters, digits and dashes, starting with a letter`);
  }
  const namePrefix = `coord-${stage}`;
  const { tablePrefix } = config;
  const account = config.account ?? options.env?.account;
  const region = config.region ?? options.env?.region;
  const env: Environment = { ...(account && { account }), ...(region && { region }) };
  const common = { env, terminationProtection: isProd };
  const functionDefaults = {
    memorySizeMiB: config.defaultMemoryMiB,
    logRetention: config.logRetention,
    alias: config.canary,
    ...(config.openTelemetry && { openTelemetry: config.openTelemetry }),
    ...options.functionDefaults,
  };

  const data = new DataStack(app, `${namePrefix}-data`, {
    ...common,
    description: `coord ${stage}: DynamoDB tables and their backups`,
    tablePrefix,
    isProd,
    backup: config.backup,
    tableSource: config.tableSource,
  });
  const httpTables = HTTP_TABLES.map((definition) => data.tableFor(definition));
  const messaging = new MessagingStack(app, `${namePrefix}-messaging`, {
    ...common,
    description: `coord ${stage}: queues, their consumers and dead-letter alarms`,
    stage,
    namePrefix,
    tablePrefix,
    isProd,
    tables: httpTables,
    alarmEmails: config.alarmEmails,
    consumerMaxConcurrency: config.queueConsumerMaxConcurrency,
    functionDefaults,
  });
  const stacks: { -readonly [K in keyof CoordStacks]: CoordStacks[K] } = { data, messaging };
  // The webhook sender delays a failed delivery's message (ChangeMessageVisibility) by its URL.
  const webhooks = messaging.queues.get(webhooksQueue.id)?.queue;
  const webhookSender = messaging.consumers.get('webhooksConsumer');
  if (webhooks && webhookSender) {
    webhookSender.function.addEnvironment(queueUrlVariable(webhooksQueue.id), webhooks.queueUrl);
  }
  // The sweeper's periodic health assessment calls Claude (the key secret is in the data stack,
  // built before this one) and reports the depth of every queue and its dead-letter queue.
  if (messaging.sweeper) {
    const sweeper = messaging.sweeper.handler;
    data.grantAnthropicKey(sweeper.function);
    for (const queue of messaging.queues.values()) {
      for (const q of [queue.queue, queue.deadLetterQueue])
        q.grant(sweeper, 'sqs:GetQueueUrl', 'sqs:GetQueueAttributes');
    }
  }

  const perIpLimit = perIpLimitOf(config);
  if (config.stacks.api) {
    stacks.api = new ApiStack(app, `${namePrefix}-api`, {
      ...common,
      description: `coord ${stage}: HTTP API`,
      stage,
      tablePrefix,
      isProd,
      tables: httpTables,
      throttle: config.httpThrottle,
      corsOrigins: config.corsOrigins,
      anthropicApiKeySecret: data.anthropicApiKeySecret,
      githubWebhookSecret: data.githubWebhookSecret,
      accessLogRetention: config.logRetention,
      // Behind CloudFront's per-IP limit, the API refuses requests that did not come through CloudFront.
      originVerify: perIpLimit !== undefined,
      queues: Object.fromEntries(
        [heartbeatsQueue, escalationsQueue].map((definition) => [
          definition.id,
          messaging.queueFor(definition).queue,
        ]),
      ),
      functionDefaults,
    });
  }
  if (config.stacks.realtime && stacks.api) {
    stacks.realtime = new RealtimeStack(app, `${namePrefix}-realtime`, {
      ...common,
      description: `coord ${stage}: WebSocket API and stream consumers`,
      stage,
      namePrefix,
      tablePrefix,
      isProd,
      tables: new Map(TABLES.map((definition) => [definition.id, data.tableFor(definition)])),
      authSecrets: [stacks.api.adminTokenSecret, stacks.api.registrationKeySecret],
      authEnvironment: stacks.api.authEnvironment,
      throttle: config.wsThrottle,
      alarmTopic: messaging.alarms.topic,
      functionDefaults,
    });
    // `ask` over the WebSocket calls Claude as the AI routes do: the key, and the shared AI gate
    // (rate limit, breaker, budget) kept in the Meta table.
    // The broadcaster also fans events out to webhooks: one message per delivery on the webhooks queue.
    const broadcaster = stacks.realtime.streamConsumers.get('broadcaster');
    if (webhooks && broadcaster) {
      webhooks.grantSendMessages(broadcaster.handler);
      broadcaster.handler.function.addEnvironment(queueUrlVariable(webhooksQueue.id), webhooks.queueUrl);
    }
    const wsMessage = stacks.realtime.routes.functions.get('wsMessage');
    if (wsMessage) {
      data.grantAnthropicKey(wsMessage.function);
      grantTable(data.tableFor(metaTable), wsMessage, 'readWrite');
    }
  }
  if (perIpLimit && !(config.stacks.web && stacks.api && stacks.realtime)) {
    throw new Error(`Stage ${stage} sets perIpLimit, which needs the web stack (and the API behind it)`);
  }
  if (perIpLimit && !region) {
    throw new Error(
      `Stage ${stage} sets perIpLimit, whose web ACL lives in ${EDGE_REGION}: the web stack needs a known region (the stage's region or CDK_DEFAULT_REGION) to read it`,
    );
  }
  if (perIpLimit) {
    stacks.edge = new EdgeStack(app, `${namePrefix}-edge`, {
      env: { ...env, region: EDGE_REGION },
      terminationProtection: isProd,
      crossRegionReferences: true,
      description: `coord ${stage}: the CloudFront web ACL limiting requests per IP`,
      stage,
      requestsPer5Minutes: perIpLimit.requestsPer5Minutes,
    });
  }
  if (config.stacks.web && stacks.api && stacks.realtime) {
    stacks.web = new WebStack(app, `${namePrefix}-web`, {
      ...common,
      ...(stacks.edge && { crossRegionReferences: true, webAclArn: stacks.edge.webAcl.attrArn }),
      description: `coord ${stage}: the dashboard on S3 and CloudFront`,
      stage,
      isProd,
      buildDir:
        options.webBuildDir ?? join(options.functionDefaults?.projectRoot ?? PROJECT_ROOT, WEB_BUILD_DIR),
      httpApi: stacks.api.httpApi,
      webSocketUrl: stacks.realtime.stage.url,
      ...(stacks.api.originSecret && { originSecret: stacks.api.originSecret }),
      ...(perIpLimit?.originSecretVersionId && { originSecretVersionId: perIpLimit.originSecretVersionId }),
    });
  }

  if (config.stacks.observability && stacks.api) {
    stacks.observability = new ObservabilityStack(app, `${namePrefix}-observability`, {
      ...common,
      description: `coord ${stage}: dashboard and service alarms`,
      namePrefix,
      alarms: messaging.alarms,
      httpApi: stacks.api.httpApi,
      ...(stacks.realtime && { webSocketApi: stacks.realtime.webSocketApi }),
      queues: messaging.queues,
      tables: data.tables,
      ...(messaging.sweeper && { sweeper: messaging.sweeper.handler }),
      ...(data.backupPlan && { backupVaultName: data.backupPlan.backupVault.backupVaultName }),
    });
  }

  applyFunctionSettings(app, config);
  for (const fn of app.node.findAll().filter((construct) => construct instanceof CoordFunction)) {
    denyAuditChanges(fn.function, data.tableFor(eventsTable));
  }
  addAlarmsAndCanaries(app, namePrefix, messaging.alarms, config.canary);
  // Before traffic shifts, the health route's canary proves the new version answers
  // GET /v1/health, and the read route's canary that it answers GET /openapi.json.
  for (const [routeId, path] of PRE_TRAFFIC_PROBES) {
    const probed = stacks.api?.routes.functions.get(routeId);
    if (!probed?.deploymentGroup) continue;
    const hook = new PreTrafficHook(probed, 'PreTrafficHook', {
      deploymentGroup: probed.deploymentGroup,
      target: probed.function.currentVersion,
      path,
      logRetention: config.logRetention,
      logRemovalPolicy: isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      environment: stacks.api?.functionEnvironment ?? {},
      ...(stacks.api?.originSecret && { originSecret: stacks.api.originSecret }),
      ...(options.functionDefaults?.projectRoot && { projectRoot: options.functionDefaults.projectRoot }),
    });
    hook.addErrorsAlarm(`${namePrefix}-${functionAlarmName(probed.entry)}-pre-traffic-errors`, (alarm) =>
      messaging.alarms.notify(alarm),
    );
  }
  return stacks;
};

/**
 * Gives every function its error and throttle alarms and, when the stage deploys canaries, a
 * CodeDeploy deployment group rolled back by those alarms (one application and role per stack).
 */
const addAlarmsAndCanaries = (app: App, namePrefix: string, alarms: Alarms, canary: boolean): void => {
  const deployers = new Map<Stack, { application: LambdaApplication; role: Role }>();
  const deployerOf = (stack: Stack) => {
    let deployer = deployers.get(stack);
    if (!deployer) {
      const role = new Role(stack, 'CanaryDeployRole', {
        assumedBy: new ServicePrincipal('codedeploy.amazonaws.com'),
        description: 'Shifts traffic between function versions and rolls back on alarms',
      });
      const application = new LambdaApplication(stack, 'Canary', { applicationName: stack.stackName });
      deployer = { application, role };
      deployers.set(stack, deployer);
    }
    return deployer;
  };
  for (const fn of app.node.findAll().filter((construct) => construct instanceof CoordFunction)) {
    fn.addAlarms(namePrefix, (alarm) => alarms.notify(alarm));
    if (canary) {
      const { application, role } = deployerOf(Stack.of(fn));
      fn.addCanary(application, role);
    }
  }
};

/** Gives each function the memory and reserved concurrency the stage config sets for it. */
const applyFunctionSettings = (app: App, config: StageConfig): void => {
  const functions = app.node.findAll().filter((construct) => construct instanceof CoordFunction);
  const unknown = Object.keys(config.functions).filter(
    (key) => !functions.some((fn) => functionKey(fn.entry) === key),
  );
  if (unknown.length > 0) {
    throw new Error(`Stage ${config.stage} configures functions that do not exist: ${unknown.join(', ')}`);
  }
  for (const fn of functions) {
    const settings = config.functions[functionKey(fn.entry)];
    if (
      fn.entry === sweeperSchedule.entry &&
      settings?.reservedConcurrency !== undefined &&
      settings.reservedConcurrency !== SWEEPER_RESERVED_CONCURRENCY
    ) {
      throw new Error(
        `Stage ${config.stage}: the sweeper runs one pass at a time; its reservedConcurrency must be ${SWEEPER_RESERVED_CONCURRENCY}, not ${settings.reservedConcurrency}`,
      );
    }
    if (settings) fn.applySettings(settings);
  }
};
