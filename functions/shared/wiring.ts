/**
 * The composition root: the only file of `functions/` that imports `src/adapters`. Config is
 * read once, SDK clients are created once (wrapped by the tracer) and the ports built on them
 * are shared by every invocation of the container. Everything is built on first use, so
 * importing a handler module touches neither the environment nor the network.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createSecretReader } from '#adapters/auth/secret-reader';
import { createDynamoClient, createDynamoPorts } from '#adapters/dynamo/index';
import { createEscalationPublisher } from '#adapters/sqs/escalation-publisher';
import { createHeartbeatPublisher } from '#adapters/sqs/heartbeat-publisher';
import {
  createQueuePublisher,
  createSqsClient,
  QueueError,
  type QueuePublisher,
} from '#adapters/sqs/queue-publisher';
import { systemClock } from '#adapters/system/clock';
import { sha256Hasher } from '#adapters/system/hasher';
import { createIdGenerator } from '#adapters/system/ids';
import { systemRandom } from '#adapters/system/random';
import type { AuthSecrets } from '#app/auth';
import { type Config, loadConfig } from '#app/config';
import type { HeartbeatPublisher } from '#core/agents/heartbeat';
import type { Ports } from '#core/ports';
import type { Settings } from '#core/settings';
import { tracer } from './observability';
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
}

/** The SQS client (endpoint from config), built once on first use. */
export const sqsClient = once(() => {
  const { region, endpoints } = config();
  return tracer.captureAWSv3Client(createSqsClient({ region, endpoint: endpoints.sqs }));
});

/**
 * A publisher to the queue at `url`. Without a URL every send fails with a `QueueError` naming
 * the variable, so a deployment that forgot it answers 500 on the routes that need the queue
 * and every other route still works.
 */
export const queuePublisher = <T>(url: string | undefined, variable: string): QueuePublisher<T> =>
  url === undefined
    ? { send: () => Promise.reject(new QueueError(`${variable} is not set: there is no queue to send to.`)) }
    : createQueuePublisher<T>(sqsClient(), url);

/** The ports, built once per container on first use. */
export const deps: () => Deps = once(() => {
  const { region, endpoints, tablePrefix, readyShards, auditRetentionDays, settings } = config();
  const client = tracer.captureAWSv3Client(createDynamoClient({ region, endpoint: endpoints.dynamodb }));
  const clock = systemClock;
  return {
    ...createDynamoPorts({ client, tablePrefix, readyShards, clock, auditRetentionDays }),
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
  };
});

const readSecrets = async ({ secrets, region }: Config): Promise<AuthSecrets> => {
  const { adminTokenSecretArn, registrationKeySecretArn } = secrets;
  if (adminTokenSecretArn === undefined && registrationKeySecretArn === undefined) {
    return { adminToken: secrets.adminToken, registrationKey: secrets.registrationKey };
  }
  const reader = createSecretReader(tracer.captureAWSv3Client(new SecretsManagerClient({ region })));
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

/** What the HTTP chain needs from this root. */
export const httpRuntime: HttpRuntime = { ports: () => deps(), authSecrets };
