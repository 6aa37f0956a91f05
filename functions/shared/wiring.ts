/**
 * The composition root: the only file of `functions/` that imports `src/adapters`. Config is
 * read once, SDK clients are created once (wrapped by the tracer) and the ports built on them
 * are shared by every invocation of the container. Everything is built on first use, so
 * importing a handler module touches neither the environment nor the network.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createSecretReader } from '#adapters/auth/secret-reader';
import { createDynamoClient, createDynamoPorts } from '#adapters/dynamo/index';
import { systemClock } from '#adapters/system/clock';
import { sha256Hasher } from '#adapters/system/hasher';
import { createIdGenerator } from '#adapters/system/ids';
import { systemRandom } from '#adapters/system/random';
import type { AuthSecrets } from '#app/auth';
import { type Config, loadConfig } from '#app/config';
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
}

/** The ports, built once per container on first use. */
export const deps: () => Deps = once(() => {
  const { region, endpoints, tablePrefix, readyShards, settings } = config();
  const client = tracer.captureAWSv3Client(createDynamoClient({ region, endpoint: endpoints.dynamodb }));
  const clock = systemClock;
  return {
    ...createDynamoPorts({ client, tablePrefix, readyShards, clock }),
    clock,
    ids: createIdGenerator({ clock }),
    random: systemRandom,
    hasher: sha256Hasher,
    defaults: settings,
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
