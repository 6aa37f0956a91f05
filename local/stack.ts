/**
 * The whole service on one machine: DynamoDB Local, the SQS emulator, the tables and queues
 * CDK would create, and the HTTP gateway invoking the same handlers Lambda runs. `npm start`
 * (local/main.ts), the e2e tests and the benchmarks all start it through `startLocalStack`.
 *
 * Handlers read their configuration from `process.env` at cold start, as on Lambda, and a
 * module cannot be unloaded; so one process runs at most one stack. Start more as child
 * processes (`tsx local/main.ts` with `PORT=0 COORD_READY_JSON=1`, and the Node flags of
 * `./node-flags`).
 */

import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ensureTables } from '#adapters/dynamo/create-tables';
import { tableName } from '#adapters/dynamo/tables';
import { escalationsQueue, heartbeatsQueue, queueName, webhooksQueue } from '#adapters/sqs/queues';
import { loadConfig } from '#app/config';
import { CONSUMERS } from '#functions/shared/consumers';
import { ROUTES } from '#functions/shared/routes';
import { STREAM_CONSUMERS } from '#functions/shared/streams';
import { SERVICE_VERSION } from '../lib/service-version';
import { generateSecret } from './credentials';
import { startDashboard } from './dashboard';
import { startDynamoDbLocal } from './emulators/dynamodb-local';
import { startSqsEmulator } from './emulators/sqs';
import { startHttpGateway } from './http-gateway';
import { prometheusAnswer } from './metrics-endpoint';
import { startLocalTracing } from './otel';
import { startConsumerPollers } from './pollers/consumers';
import { startStreamPollers } from './pollers/stream-poller';
import { ensureQueueWithDlq, type ProvisionedQueue } from './provision';
import { startTimers, sweeperTimer } from './timers';
import { startWsGateway } from './ws-gateway';

/** Options for {@link startLocalStack}. */
export interface LocalStackOptions {
  /** HTTP port; 0 picks a free one. @default 3000 */
  readonly port?: number;
  /** WebSocket API port; 0 picks a free one. @default 3001, or a free one when `port` is 0 */
  readonly wsPort?: number;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** Keep DynamoDB tables (in `<dataDir>/dynamodb`) and queued messages (`<dataDir>/sqs`) across restarts. @default in memory */
  readonly dataDir?: string;
  /** @default a fresh random token for this run */
  readonly adminToken?: string;
  /** @default a fresh random key for this run */
  readonly registrationKey?: string;
  /** @default us-east-1 */
  readonly region?: string;
  /** @default local */
  readonly stage?: string;
  /** @default coord-<stage> */
  readonly tablePrefix?: string;
  /**
   * Use these endpoints (LocalStack, or emulators started elsewhere) instead of embedded ones;
   * tables and queues are still created there. @default embedded emulators
   */
  readonly endpoints?: { readonly dynamodb?: string; readonly sqs?: string };
  /** Port of the embedded DynamoDB Local. @default a free one */
  readonly dynamoDbPort?: number;
  /** Port of the embedded SQS emulator. @default a free one */
  readonly sqsPort?: number;
  /** More environment for the handlers, e.g. `COORD_LEASE_SECONDS`. @default none */
  readonly handlerEnv?: Readonly<Record<string, string>>;
  /** Handlers log errors only. @default false (warnings too, or `POWERTOOLS_LOG_LEVEL`) */
  readonly quiet?: boolean;
  /**
   * Lambda timeout of every handler; a longer invocation is answered 503, as API Gateway does.
   * @default 29 s (API Gateway's integration limit)
   */
  readonly handlerTimeoutMs?: number;
  /**
   * How often the sweeper runs (expired leases, reviews, offline agents, repairs).
   * @default `COORD_SWEEP_INTERVAL_MS`, else 5000
   */
  readonly sweepIntervalMs?: number;
  /** How long to wait for `GET /v1/health` to answer 200. @default 60 s */
  readonly readyTimeoutMs?: number;
  /** Aborting stops whatever was started so far, and the start rejects. @default never aborted */
  readonly signal?: AbortSignal;
  /** Build the dashboard (`web/`) and serve it at `/`. @default true */
  readonly dashboard?: boolean;
}

/** A running local stack. */
export interface LocalStack {
  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  /** Where the dashboard is served (`<url>/`), unless it was turned off. */
  readonly dashboardUrl?: string;
  readonly port: number;
  /** URL of the WebSocket API, e.g. `ws://127.0.0.1:3001`. */
  readonly wsUrl: string;
  readonly adminToken: string;
  readonly registrationKey: string;
  readonly dataDir?: string;
  readonly region: string;
  readonly tablePrefix: string;
  /** Where DynamoDB and SQS answer, and whether they were started here. */
  readonly endpoints: {
    readonly dynamodb: string;
    readonly sqs: string;
    readonly embedded: { readonly dynamodb: boolean; readonly sqs: boolean };
  };
  readonly queues: {
    readonly heartbeats: ProvisionedQueue;
    readonly escalations: ProvisionedQueue;
    readonly webhooks: ProvisionedQueue;
  };
  /** Stops the gateway and the emulators this stack started. Safe to call twice. */
  stop(): Promise<void>;
}

// Dummy keys for the embedded emulators; LocalStack's documented defaults for an external endpoint.
const EMULATOR_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const LOCALSTACK_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** How often the sweeper runs locally unless told otherwise (API.md "Running it locally"). */
const DEFAULT_SWEEP_INTERVAL_MS = 5000;

// Set once handler modules may have been loaded: from then on they hold this stack's configuration.
let handlersLoaded = false;

/** Runs cleanups last-first; used when a start fails half-way and by `stop()`. */
class Teardown {
  private readonly steps: (() => Promise<void>)[] = [];
  add(step: () => Promise<void>): void {
    this.steps.push(step);
  }
  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      await step().catch((error: unknown) => console.error('[local-stack] stopping:', error));
    }
  }
}

/**
 * Polls `GET /v1/health` until it answers 200. No answer or 503 (store not reachable yet) are
 * retried; any other status means the handler itself fails (bad configuration, a broken
 * module), which waiting will not fix.
 */
const waitForHealth = async (url: string, timeoutMs: number, signal?: AbortSignal): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    const answer = await fetch(`${url}/v1/health`, { signal: AbortSignal.timeout(10_000) }).then(
      async (response) => ({ status: response.status, text: (await response.text()).slice(0, 500) }),
      (error: Error) => ({ status: 0, text: error.message }),
    );
    if (answer.status === 200) return;
    last = `${answer.status || 'no answer'}: ${answer.text}`;
    if (answer.status !== 0 && answer.status !== 503) {
      throw new Error(`GET ${url}/v1/health answered ${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`GET ${url}/v1/health did not answer 200 within ${timeoutMs} ms (last: ${last})`);
};

/** The handlers' environment: what `loadConfig` and Powertools read at cold start. */
const handlerEnvironment = (settings: {
  stage: string;
  tablePrefix: string;
  region: string;
  dynamodb: string;
  sqs: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  adminToken: string;
  registrationKey: string;
  queues: LocalStack['queues'];
  wsCallbackUrl: string;
  quiet: boolean;
}): Record<string, string | undefined> => ({
  COORD_STAGE: settings.stage,
  COORD_TABLE_PREFIX: settings.tablePrefix,
  // DynamoDB Local keeps everything in one partition, so ready-index shards (which spread a hot
  // team over partitions on AWS) only multiply queries here.
  COORD_READY_SHARDS: process.env.COORD_READY_SHARDS ?? '1',
  // ...and its items were never written under more, so claims read that one shard alone.
  COORD_PREVIOUS_READY_SHARDS: process.env.COORD_PREVIOUS_READY_SHARDS ?? '1',
  COORD_SERVICE_VERSION: process.env.COORD_SERVICE_VERSION ?? SERVICE_VERSION,
  AWS_REGION: settings.region,
  AWS_DEFAULT_REGION: settings.region,
  AWS_ENDPOINT_URL_DYNAMODB: settings.dynamodb,
  AWS_ENDPOINT_URL_SQS: settings.sqs,
  AWS_ACCESS_KEY_ID: settings.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: settings.credentials.secretAccessKey,
  AWS_SESSION_TOKEN: settings.credentials.sessionToken,
  COORD_ADMIN_TOKEN: settings.adminToken,
  COORD_REGISTRATION_KEY: settings.registrationKey,
  COORD_HEARTBEATS_QUEUE_URL: settings.queues.heartbeats.url,
  COORD_ESCALATIONS_QUEUE_URL: settings.queues.escalations.url,
  COORD_WEBHOOKS_QUEUE_URL: settings.queues.webhooks.url,
  COORD_WS_CALLBACK_URL: settings.wsCallbackUrl,
  POWERTOOLS_DEV: 'true',
  POWERTOOLS_LOG_LEVEL: settings.quiet ? 'ERROR' : (process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN'),
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
  POWERTOOLS_TRACER_CAPTURE_ERROR: 'false',
  POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS: 'false',
  // Tracing is off, but the X-Ray SDK in automatic mode still hooks every promise (cls-hooked).
  AWS_XRAY_MANUAL_MODE: 'true',
  POWERTOOLS_METRICS_DISABLED: 'true',
});

const applyEnvironment = (values: Record<string, string | undefined>): void => {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
};

/** The sweeper interval `COORD_SWEEP_INTERVAL_MS` asks for (a positive number of milliseconds), else 5 s. */
const sweepIntervalFromEnv = (): number => {
  const text = process.env.COORD_SWEEP_INTERVAL_MS;
  if (text === undefined || text === '') return DEFAULT_SWEEP_INTERVAL_MS;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`COORD_SWEEP_INTERVAL_MS must be a positive integer (milliseconds); got "${text}".`);
  }
  return value;
};

/**
 * Starts the local stack and resolves once `GET /v1/health` answers 200.
 * @throws JavaMissingError when DynamoDB Local is needed and no Java runtime is installed
 */
export const startLocalStack = async (options: LocalStackOptions = {}): Promise<LocalStack> => {
  if (handlersLoaded) {
    throw new Error(
      'This process already ran a local stack, and its handlers keep that configuration; use a child process.',
    );
  }
  const { signal } = options;
  const region = options.region ?? 'us-east-1';
  const stage = options.stage ?? 'local';
  const tablePrefix = options.tablePrefix ?? `coord-${stage}`;
  const adminToken = options.adminToken ?? generateSecret('admin');
  const registrationKey = options.registrationKey ?? generateSecret('registration');
  const external = options.endpoints ?? {};
  const sweepIntervalMs = options.sweepIntervalMs ?? sweepIntervalFromEnv();
  const teardown = new Teardown();

  try {
    // Both emulators start at once; each registers its stop as soon as it runs, so a failure of
    // one never leaves the other behind.
    const [dynamoStart, sqsStart] = await Promise.allSettled([
      external.dynamodb ??
        startDynamoDbLocal({
          port: options.dynamoDbPort,
          dataDir: options.dataDir && join(options.dataDir, 'dynamodb'),
          ...(signal ? { signal } : {}),
        }).then((db) => {
          teardown.add(db.stop);
          return db.endpoint;
        }),
      external.sqs ??
        startSqsEmulator({
          port: options.sqsPort,
          dataDir: options.dataDir && join(options.dataDir, 'sqs'),
          region,
        }).then((emulator) => {
          teardown.add(emulator.stop);
          return emulator.endpoint;
        }),
    ]);
    if (dynamoStart.status === 'rejected') throw dynamoStart.reason;
    if (sqsStart.status === 'rejected') throw sqsStart.reason;
    const dynamodb = dynamoStart.value;
    const sqs = sqsStart.value;
    signal?.throwIfAborted();

    const credentials =
      external.dynamodb || external.sqs
        ? {
            accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? LOCALSTACK_CREDENTIALS.accessKeyId,
            secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? LOCALSTACK_CREDENTIALS.secretAccessKey,
            ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}),
          }
        : EMULATOR_CREDENTIALS;
    const dynamoClient = new DynamoDBClient({ region, endpoint: dynamodb, credentials });
    const sqsClient = new SQSClient({ region, endpoint: sqs, credentials });
    teardown.add(async () => {
      dynamoClient.destroy();
      sqsClient.destroy();
    });
    await ensureTables(dynamoClient, tablePrefix);
    const queues = {
      heartbeats: await ensureQueueWithDlq(sqsClient, tablePrefix, heartbeatsQueue),
      escalations: await ensureQueueWithDlq(sqsClient, tablePrefix, escalationsQueue),
      webhooks: await ensureQueueWithDlq(sqsClient, tablePrefix, webhooksQueue),
    };
    signal?.throwIfAborted();
    // OTLP export only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; shut down (flushed) after the gateways close.
    const tracing = startLocalTracing();
    if (tracing) teardown.add(tracing.shutdown);
    // Listening before the handlers' environment is set: they post to its management endpoint.
    const wsGateway = await startWsGateway({
      host: options.host,
      port: options.wsPort ?? (options.port === 0 ? 0 : 3001),
      region,
      ...(options.handlerTimeoutMs ? { timeoutMs: options.handlerTimeoutMs } : {}),
      ...(tracing ? { observe: tracing.observeWs } : {}),
    });
    teardown.add(wsGateway.close);

    applyEnvironment({
      ...handlerEnvironment({
        stage,
        tablePrefix,
        region,
        dynamodb,
        sqs,
        credentials,
        adminToken,
        registrationKey,
        queues,
        wsCallbackUrl: wsGateway.callbackUrl,
        quiet: options.quiet ?? false,
      }),
      ...options.handlerEnv,
    });

    const dashboard =
      options.dashboard === false ? undefined : await startDashboard(() => ({ wsUrl: wsGateway.url }));
    handlersLoaded = true;
    const gateway = await startHttpGateway({
      routes: ROUTES,
      localAnswers: { 'GET /metrics': prometheusAnswer, ...dashboard },
      host: options.host,
      port: options.port ?? 3000,
      region,
      // The handlers' own setting (`COORD_CORS_ORIGINS`), so the gateway's answers carry the same headers.
      corsOrigins: loadConfig().corsOrigins,
      ...(options.handlerTimeoutMs ? { timeoutMs: options.handlerTimeoutMs } : {}),
      ...(tracing ? { observe: tracing.observeHttp } : {}),
    });
    teardown.add(gateway.close);
    await waitForHealth(gateway.url, options.readyTimeoutMs ?? 60_000, signal);
    // Added last, so stopped first: no batch is left half-handled when the emulators go.
    const queueUrls: Readonly<Record<string, ProvisionedQueue>> = queues;
    const pollers = startConsumerPollers({
      sqs: sqsClient,
      consumers: CONSUMERS,
      region,
      queueUrlOf: (id) => {
        const queue = queueUrls[id];
        if (!queue) throw new Error(`No queue ${id} was provisioned for its consumer`);
        return queue.url;
      },
      ...(tracing && {
        observe: (consumer, records) =>
          tracing.observeQueueBatch(
            { id: consumer.queue.id, name: queueName(tablePrefix, consumer.queue) },
            records,
          ),
      }),
    });
    teardown.add(pollers.stop);
    const timers = startTimers({
      timers: [sweeperTimer(sweepIntervalMs)],
      region,
      ...(tracing && { observe: (timer, requestId) => tracing.observeScheduledRun(timer.id, requestId) }),
    });
    teardown.add(timers.stop);
    const streamPollers = startStreamPollers({
      dynamodb: dynamoClient,
      endpoint: dynamodb,
      credentials,
      tablePrefix,
      consumers: STREAM_CONSUMERS,
      region,
      ...(tracing && {
        observe: (consumer, records, attempt) =>
          tracing.observeStreamBatch(
            { id: consumer.id, table: tableName(tablePrefix, consumer.table) },
            records,
            attempt,
          ),
      }),
    });
    teardown.add(streamPollers.stop);

    let stopping: Promise<void> | undefined;
    return {
      url: gateway.url,
      ...(dashboard ? { dashboardUrl: `${gateway.url}/` } : {}),
      port: gateway.port,
      wsUrl: wsGateway.url,
      adminToken,
      registrationKey,
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      region,
      tablePrefix,
      endpoints: { dynamodb, sqs, embedded: { dynamodb: !external.dynamodb, sqs: !external.sqs } },
      queues,
      stop: () => {
        stopping ??= teardown.run();
        return stopping;
      },
    };
  } catch (error) {
    await teardown.run();
    throw error;
  }
};
