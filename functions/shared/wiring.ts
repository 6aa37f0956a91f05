/**
 * The composition root: the only file of `functions/` that imports `src/adapters`. Config is
 * read once, SDK clients are created once (wrapped by the tracer) and the ports built on them
 * are shared by every invocation of the container. Everything is built on first use, so
 * importing a handler module touches neither the environment nor the network.
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBRecord } from 'aws-lambda';
import { type AiCallRecord, createClaudeAdvisor } from '#adapters/ai/claude-advisor';
import { createSecretReader, createSecretsClient } from '#adapters/auth/secret-reader';
import {
  createConnectionStore,
  createDynamoClient,
  createDynamoPorts,
  createGateStore,
  createInvariantStore,
  createMetricsStore,
  eventFromStreamImage,
  isEventImage,
} from '#adapters/dynamo/index';
import { createWebhookStores } from '#adapters/dynamo/webhook-store';
import { createWebhookSender } from '#adapters/http/webhook-sender';
import { lazyClient } from '#adapters/lazy-client';
import { createConnectionNotifier, createManagementClient } from '#adapters/realtime/connection-notifier';
import { inProcessNotifier } from '#adapters/realtime/in-process-notifier';
import { createDeliveryQueue } from '#adapters/sqs/delivery-queue';
import { createEscalationPublisher } from '#adapters/sqs/escalation-publisher';
import { createHeartbeatPublisher } from '#adapters/sqs/heartbeat-publisher';
import { createQueueDepthReader, type QueueDepthReader } from '#adapters/sqs/queue-depths';
import {
  createQueuePublisher,
  createSqsClient,
  QueueError,
  type QueuePublisher,
} from '#adapters/sqs/queue-publisher';
import { QUEUES, webhooksQueue } from '#adapters/sqs/queues';
import { systemClock } from '#adapters/system/clock';
import { sha256Hasher } from '#adapters/system/hasher';
import { createIdGenerator } from '#adapters/system/ids';
import { systemRandom } from '#adapters/system/random';
import type { AuthSecrets } from '#app/auth';
import { anthropicKeyOf, type Config, configuredSecretOf, loadConfig } from '#app/config';
import type { SignedBy } from '#app/route';
import { ClaimMetrics } from '#app/use-cases/metrics/claim-metrics';
import type { MetricsPorts } from '#app/use-cases/metrics/deps';
import type { RealtimePorts } from '#app/use-cases/realtime/deps';
import { subscriberCache } from '#app/use-cases/realtime/subscriber-cache';
import { ActiveWebhooks } from '#app/use-cases/webhooks/active-webhooks';
import type { WebhookDeps } from '#app/use-cases/webhooks/deps';
import type { FanOutDeps } from '#app/use-cases/webhooks/fan-out';
import type { HeartbeatPublisher } from '#core/agents/heartbeat';
import type { AiModel } from '#core/ai/model';
import type { InvariantStore } from '#core/invariants';
import type { AuditEvent } from '#core/model';
import type { Ports } from '#core/ports';
import type { ConnectionNotifier } from '#core/realtime/ports';
import type { Settings } from '#core/settings';
import { messageOriginAttributes, metrics, tracer } from './observability';
import { OriginSecrets } from './origin-verify';
import type { HttpRuntime } from './request';

const once = <T>(make: () => T): (() => T) => {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
};

/** The deployment configuration, read from the environment once. */
export const config: () => Config = once(() => loadConfig());

/** What use cases receive: every port, plus the settings in force before any `PUT /v1/config`. */
export interface Deps extends Ports {
  readonly defaults: Settings;
  /** The `heartbeats` queue (`COORD_HEARTBEATS_QUEUE_URL`). */
  readonly heartbeats: HeartbeatPublisher;
  /** Claude behind the shared guard (`ANTHROPIC_API_KEY` or `ANTHROPIC_API_KEY_SECRET_ARN`). */
  readonly ai: AiModel;
  /** Depth of each queue and its dead-letter queue (the health assessment's DLQ findings). */
  readonly queueDepths: QueueDepthReader;
  /** The invariant checks' states. */
  readonly invariants: InvariantStore;
}

/** One metric set per Claude call: calls and fallbacks by purpose, tokens and cost. */
const recordAiCall = (call: AiCallRecord): void => {
  const single = metrics.singleMetric();
  single.addDimension('purpose', call.purpose);
  single.addMetric(call.outcome === 'ok' ? 'ai.calls' : 'ai.fallbacks', MetricUnit.Count, 1);
  single.addMetric('ai.inputTokens', MetricUnit.Count, call.inputTokens);
  single.addMetric('ai.outputTokens', MetricUnit.Count, call.outputTokens);
  single.addMetric('ai.cacheReadTokens', MetricUnit.Count, call.cacheReadTokens);
  single.addMetric('ai.costMicroUsd', MetricUnit.Count, Math.round(call.costUsd * 1_000_000));
  single.addMetric('ai.latency', MetricUnit.Milliseconds, call.latencyMs);
};

/**
 * The Secrets Manager reader, its client made on first read: only a deployment that names a
 * secret by ARN loads the Secrets Manager package at all.
 */
const secretReader = once(() =>
  createSecretReader(
    lazyClient(async () =>
      tracer.captureAWSv3Client(
        await createSecretsClient({ region: config().region, functionTimeoutMs: config().functionTimeoutMs }),
      ),
    ),
  ),
);

let anthropicKeyRead: Promise<string | undefined> | undefined;

/** The Anthropic API key: from config, or read from Secrets Manager once (never logged). */
const anthropicKey = (): Promise<string | undefined> => {
  const { anthropic } = config();
  if (anthropic.apiKeySecretArn === undefined) return Promise.resolve(anthropic.apiKey);
  const arn = anthropic.apiKeySecretArn;
  anthropicKeyRead ??= secretReader()
    .read(arn)
    .then(anthropicKeyOf)
    .catch(() => {
      // Not kept: the next call tries again; meanwhile AI answers come from the heuristic.
      anthropicKeyRead = undefined;
      return undefined;
    });
  return anthropicKeyRead;
};

/** The SQS client (endpoint from config), made on the first send: most functions never send. */
const sqsClient = lazyClient(async () => {
  const { region, endpoints, functionTimeoutMs } = config();
  return tracer.captureAWSv3Client(
    await createSqsClient({ region, endpoint: endpoints.sqs, functionTimeoutMs }),
  );
});

/**
 * A publisher to the queue at `url`. Without a URL every send fails with a `QueueError` naming
 * the variable, so a deployment that forgot it answers 500 on the routes that need the queue
 * and every other route still works.
 */
export const queuePublisher = <T>(url: string | undefined, variable: string): QueuePublisher<T> =>
  url === undefined
    ? { send: () => Promise.reject(new QueueError(`${variable} is not set: there is no queue to send to.`)) }
    : createQueuePublisher<T>(sqsClient, url, messageOriginAttributes);

/** The DynamoDB client (endpoint from config), built once on first use. */
const dynamoClient = once(() => {
  const { region, endpoints, functionTimeoutMs } = config();
  return tracer.captureAWSv3Client(
    createDynamoClient({ region, endpoint: endpoints.dynamodb, functionTimeoutMs }),
  );
});

/** The ports, built once per container on first use. */
export const deps: () => Deps = once(() => {
  const {
    tablePrefix,
    readyShards,
    auditRetentionDays,
    settings,
    settingsCacheSeconds,
    tokenCacheSeconds,
    workCacheSeconds,
  } = config();
  const client = dynamoClient();
  const clock = systemClock;
  return {
    ...createDynamoPorts({
      client,
      tablePrefix,
      readyShards,
      previousReadyShards: config().previousReadyShards,
      clock,
      auditRetentionDays,
      settingsCacheSeconds,
      tokenCacheSeconds,
      workCacheSeconds,
    }),
    clock,
    ids: createIdGenerator({ clock }),
    random: systemRandom,
    hasher: sha256Hasher,
    defaults: settings,
    heartbeats: createHeartbeatPublisher(
      queuePublisher(config().queues.heartbeatsUrl, 'COORD_HEARTBEATS_QUEUE_URL'),
    ),
    escalationPublisher: createEscalationPublisher(
      queuePublisher(config().queues.escalationsUrl, 'COORD_ESCALATIONS_QUEUE_URL'),
    ),
    ai: createClaudeAdvisor({
      apiKey: anthropicKey,
      ...(config().anthropic.baseUrl ? { baseUrl: config().anthropic.baseUrl } : {}),
      gate: createGateStore({ client, tablePrefix }),
      now: () => clock.now().getTime(),
      random: () => systemRandom.next(),
      record: recordAiCall,
    }),
    queueDepths: createQueueDepthReader(sqsClient, tablePrefix, QUEUES),
    invariants: createInvariantStore(client, tablePrefix),
  };
});

const notifiers = new Map<string, ConnectionNotifier>();

/**
 * The notifier posting through the WebSocket API's management endpoint: `COORD_WS_CALLBACK_URL`,
 * else `fallbackEndpoint` (a WebSocket handler knows its API's own URL from the event). Locally,
 * where the WebSocket server serving that endpoint runs in this process, it writes to its sockets.
 * @throws Error when neither is known (a broadcaster deployed without the variable).
 */
export const notifierFor = (fallbackEndpoint?: string): ConnectionNotifier => {
  const endpoint = config().wsCallbackUrl ?? fallbackEndpoint;
  if (endpoint === undefined) {
    throw new Error('COORD_WS_CALLBACK_URL is not set: there is no WebSocket API to post to.');
  }
  const local = inProcessNotifier(endpoint);
  if (local) return local;
  let notifier = notifiers.get(endpoint);
  if (!notifier) {
    notifier = createConnectionNotifier(
      lazyClient(async () =>
        tracer.captureAWSv3Client(await createManagementClient({ region: config().region, endpoint })),
      ),
    );
    notifiers.set(endpoint, notifier);
  }
  return notifier;
};

/** What live updates use: every port, the connection store, and the notifier. */
export const realtimeDeps = (fallbackEndpoint?: string): Deps & RealtimePorts => ({
  ...deps(),
  connections: connectionStore(),
  notifier: notifierFor(fallbackEndpoint),
});

/** The Connections table's store, built once on first use. */
export const connectionStore = once(() => createConnectionStore(dynamoClient(), config().tablePrefix));

/** This process's subscriber lists, kept across stream batches (checked once per batch). */
export const subscriberLists = once(() =>
  subscriberCache({ connections: connectionStore(), clock: deps().clock }),
);

/** The metrics rollups' store, built once on first use. */
export const metricsStore = once(() => createMetricsStore(dynamoClient(), config().tablePrefix));

/** What metrics use cases use: every port and the rollups' store. */
export const metricsDeps = (): Deps & MetricsPorts => ({ ...deps(), metrics: metricsStore() });

/** The claim routes' latency and conflict recorder (one buffer per container). */
export const claimMetrics = once(() => new ClaimMetrics({ metrics: metricsStore() }));

/** The audit event a stream record of the Events table carries, or `undefined` for any other row. */
export const auditEventOfStreamRecord = (record: DynamoDBRecord): AuditEvent | undefined => {
  const image = record.dynamodb?.NewImage as Record<string, unknown> | undefined;
  return image && isEventImage(image) ? eventFromStreamImage(image) : undefined;
};

const readSecrets = async ({ secrets }: Config): Promise<AuthSecrets> => {
  const { adminTokenSecretArn, registrationKeySecretArn } = secrets;
  if (adminTokenSecretArn === undefined && registrationKeySecretArn === undefined) {
    return { adminToken: secrets.adminToken, registrationKey: secrets.registrationKey };
  }
  const reader = secretReader();
  const [adminToken, registrationKey] = await Promise.all([
    adminTokenSecretArn === undefined ? secrets.adminToken : reader.read(adminTokenSecretArn),
    registrationKeySecretArn === undefined ? secrets.registrationKey : reader.read(registrationKeySecretArn),
  ]);
  return { adminToken, registrationKey };
};

let secretsRead: Promise<AuthSecrets> | undefined;

/** The admin token and registration key: from config, or read from Secrets Manager once. */
export const authSecrets = (): Promise<AuthSecrets> => {
  secretsRead ??= readSecrets(config()).catch((error: unknown) => {
    // Not kept: the next request tries again instead of failing for the container's lifetime.
    secretsRead = undefined;
    throw error;
  });
  return secretsRead;
};

let githubSecretRead: Promise<string | undefined> | undefined;

/**
 * The GitHub webhook secret: from config, or read from Secrets Manager once (only the function of
 * `POST /v1/integrations/github` may); `undefined` while none (or the placeholder) is set.
 */
const signingSecret = (service: SignedBy): Promise<string | undefined> => {
  const { githubWebhook } = config();
  if (service !== 'github' || githubWebhook.secretArn === undefined) {
    return Promise.resolve(service === 'github' ? configuredSecretOf(githubWebhook.secret) : undefined);
  }
  const arn = githubWebhook.secretArn;
  githubSecretRead ??= secretReader()
    .read(arn)
    .then(configuredSecretOf)
    .catch((error: unknown) => {
      // Not kept: the next delivery tries again (GitHub shows the failure and can redeliver).
      githubSecretRead = undefined;
      throw error;
    });
  return githubSecretRead;
};

/**
 * The origin secret values a request through CloudFront may carry: the configured value, or the
 * secret's current and previous versions (both accepted while a rotation reaches CloudFront's
 * edges). Kept per container as `OriginSecrets` says; `undefined` where none is configured.
 */
const originSecrets = once((): OriginSecrets | undefined => {
  const { originSecret } = config();
  if (originSecret.secretArn === undefined) {
    const { secret } = originSecret;
    return secret === undefined ? undefined : new OriginSecrets(async () => [secret], Date.now);
  }
  const arn = originSecret.secretArn;
  const reader = secretReader();
  return new OriginSecrets(async () => {
    const [current, previous] = await Promise.all([
      reader.read(arn),
      // A secret never rotated has no previous version.
      reader.read(arn, 'AWSPREVIOUS').catch(() => undefined),
    ]);
    return previous === undefined ? [current] : [current, previous];
  }, Date.now);
});

/** What the HTTP chain needs from this root. */
export const httpRuntime: HttpRuntime = {
  ports: () => deps(),
  authSecrets,
  corsOrigins: () => config().corsOrigins,
  rateLimit: () => config().rateLimit,
  signingSecret,
  originSecrets,
};

/** Seconds a process keeps the list of active webhooks it read. */
const ACTIVE_WEBHOOKS_TTL_MS = 10_000;

/** What the webhook use cases use: every port, the webhook store, queue and sender, and the policy. */
export const webhookDeps = once((): Deps & WebhookDeps => {
  const { stage, webhooks, tablePrefix } = config();
  const isLocal = stage === 'local';
  return {
    ...deps(),
    ...createWebhookStores(dynamoClient(), tablePrefix),
    deliveryQueue: createDeliveryQueue(
      sqsClient,
      webhooks.queueUrl,
      'COORD_WEBHOOKS_QUEUE_URL',
      messageOriginAttributes,
    ),
    webhookSender: createWebhookSender({ timeoutMs: webhooks.timeoutMs, allowLoopback: isLocal }),
    webhookPolicy: {
      allowLocalHttp: isLocal,
      pauseAfter: webhooks.pauseAfter,
      maxAttempts: webhooksQueue.maxReceiveCount,
      retryBaseSeconds: webhooks.retryBaseSeconds,
      retryCapSeconds: webhooks.retryCapSeconds,
    },
  };
});

/** What the broadcaster's webhook fan-out uses, with the active webhooks kept per container. */
export const fanOutDeps = once((): Deps & WebhookDeps & FanOutDeps => {
  const base = webhookDeps();
  return { ...base, activeWebhooks: new ActiveWebhooks(base.webhooks, base.clock, ACTIVE_WEBHOOKS_TTL_MS) };
});
