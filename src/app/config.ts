/**
 * Deployment configuration, read from the environment once per cold start (in
 * `functions/shared/wiring.ts` and in `local/`). This is the only module that reads
 * `process.env`; everything else receives a frozen `Config`.
 */
import type { Static } from '@sinclair/typebox';
import { Type } from '#app/schemas/type';
import { compileSchema } from '#app/validators';
import { DEFAULT_RATE_LIMIT, type RateLimit } from '#core/rate-limit';
import { DEFAULT_SETTINGS, type Settings } from '#core/settings';
import { parseCorsOrigins } from './edge';

const Text = (options: { minLength?: number; maxLength?: number; pattern?: string } = {}) =>
  Type.Optional(Type.String({ minLength: 1, maxLength: 2048, ...options }));
const Url = Type.Optional(Type.String({ format: 'uri', pattern: '^https?://' }));
const Arn = Type.Optional(Type.String({ pattern: '^arn:aws[a-z-]*:secretsmanager:' }));
/** Seconds a process keeps the runtime settings it read, unless `COORD_SETTINGS_CACHE_SECONDS` says otherwise. */
export const DEFAULT_SETTINGS_CACHE_SECONDS = 5;
/**
 * Ready-index shards per team unless `COORD_READY_SHARDS` says otherwise: one team of 10,000
 * agents at 1,000 claims/s puts ~250 write units/s on each (docs/capacity.md).
 */
export const DEFAULT_READY_SHARDS = 16;
/**
 * Ready-index shards per team that items may still sit under from an earlier, smaller
 * `COORD_READY_SHARDS` (the count before 16), unless `COORD_PREVIOUS_READY_SHARDS` says otherwise:
 * claims read them too. A deployment that never wrote under more shards than it has sets it to
 * its own count, and its claims read no empty shard.
 */
export const DEFAULT_PREVIOUS_READY_SHARDS = 4;

/** Seconds a process keeps a token record it read, unless `COORD_TOKEN_CACHE_SECONDS` says otherwise. */
export const DEFAULT_TOKEN_CACHE_SECONDS = 10;

/**
 * Seconds a process keeps a work item it wrote or read, unless `COORD_WORK_CACHE_SECONDS` says
 * otherwise: a holder's progress and completion decide from it instead of reading the item first.
 */
export const DEFAULT_WORK_CACHE_SECONDS = 60;

const Int = (minimum: number, maximum: number, fallback: number) =>
  Type.Integer({ minimum, maximum, default: fallback });

/**
 * The environment variables the service reads, with API.md's defaults. Values arrive as
 * strings; numbers are coerced, and an empty string counts as unset.
 */
export const ConfigEnv = Type.Object({
  COORD_STAGE: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,31}$', default: 'local' }),
  COORD_TABLE_PREFIX: Text({ pattern: '^[A-Za-z0-9_.-]{1,200}$' }),
  AWS_REGION: Type.String({ pattern: '^[a-z0-9-]{2,32}$', default: 'us-east-1' }),
  AWS_ENDPOINT_URL: Url,
  AWS_ENDPOINT_URL_DYNAMODB: Url,
  AWS_ENDPOINT_URL_SQS: Url,
  COORD_ADMIN_TOKEN: Text({ minLength: 8, maxLength: 512 }),
  COORD_REGISTRATION_KEY: Text({ minLength: 8, maxLength: 512 }),
  COORD_ADMIN_TOKEN_SECRET_ARN: Arn,
  COORD_REGISTRATION_KEY_SECRET_ARN: Arn,
  COORD_LEASE_SECONDS: Int(5, 86_400, DEFAULT_SETTINGS.leaseSeconds),
  COORD_HEARTBEAT_TIMEOUT_MULTIPLE: Type.Number({
    minimum: 2,
    maximum: 10,
    default: DEFAULT_SETTINGS.heartbeatTimeoutMultiple,
  }),
  COORD_DEFAULT_MAX_ATTEMPTS: Int(1, 20, DEFAULT_SETTINGS.defaultMaxAttempts),
  COORD_READY_SHARDS: Int(1, 64, DEFAULT_READY_SHARDS),
  COORD_PREVIOUS_READY_SHARDS: Int(1, 64, DEFAULT_PREVIOUS_READY_SHARDS),
  COORD_AUDIT_RETENTION_DAYS: Int(1, 36_500, 400),
  COORD_SETTINGS_CACHE_SECONDS: Int(0, 300, DEFAULT_SETTINGS_CACHE_SECONDS),
  COORD_TOKEN_CACHE_SECONDS: Int(0, 30, DEFAULT_TOKEN_CACHE_SECONDS),
  COORD_WORK_CACHE_SECONDS: Int(0, 600, DEFAULT_WORK_CACHE_SECONDS),
  COORD_SERVICE_VERSION: Type.String({ minLength: 1, maxLength: 64, default: 'dev' }),
  COORD_HEARTBEATS_QUEUE_URL: Url,
  COORD_ESCALATIONS_QUEUE_URL: Url,
  COORD_WS_CALLBACK_URL: Url,
  // Comma-separated origins whose pages may call the API (`*`: any); none when unset.
  COORD_CORS_ORIGINS: Text({
    pattern: '^\\s*(\\*|https?://[^\\s,/]+)\\s*(,\\s*(\\*|https?://[^\\s,/]+)\\s*)*$',
  }),
  ANTHROPIC_API_KEY: Text(),
  ANTHROPIC_API_KEY_SECRET_ARN: Arn,
  ANTHROPIC_BASE_URL: Url,
  // The secret GitHub signs webhook deliveries with (`POST /v1/integrations/github`); unset: refused.
  COORD_GITHUB_WEBHOOK_SECRET: Text({ minLength: 8, maxLength: 512 }),
  COORD_GITHUB_WEBHOOK_SECRET_ARN: Arn,
  // The header value CloudFront sends on a stage with a per-IP limit (`x-origin-verify`), given
  // directly or as a Secrets Manager ARN; unset: requests are taken whatever their origin.
  COORD_ORIGIN_SECRET: Text({ minLength: 16, maxLength: 512 }),
  COORD_ORIGIN_SECRET_ARN: Arn,
  // Posts to WebSocket connections in flight at once in one broadcaster invocation.
  COORD_WS_POST_CONCURRENCY: Int(1, 1000, 32),
  // How long `GET /v1/events` follows the log after its replay before it ends (API Gateway waits 30 s).
  COORD_EVENTS_FOLLOW_SECONDS: Int(0, 25, 20),
  COORD_RATE_LIMIT_PER_SECOND: Int(1, 1_000_000, DEFAULT_RATE_LIMIT.perSecond),
  COORD_RATE_LIMIT_BURST: Int(1, 10_000_000, DEFAULT_RATE_LIMIT.burst),
  COORD_MESSAGE_RETENTION_DAYS: Int(1, 3650, DEFAULT_SETTINGS.messageRetentionDays),
  // Set by the CDK app to the Lambda function's timeout: AWS SDK calls are sized to end before it.
  COORD_FUNCTION_TIMEOUT_MS: Type.Optional(Type.Integer({ minimum: 1000, maximum: 900_000 })),
  COORD_WEBHOOKS_QUEUE_URL: Url,
  COORD_WEBHOOK_PAUSE_AFTER: Int(1, 1000, 10),
  COORD_WEBHOOK_RETRY_BASE_SECONDS: Int(0, 3600, 10),
  COORD_WEBHOOK_RETRY_CAP_SECONDS: Int(0, 43_200, 900),
  COORD_WEBHOOK_TIMEOUT_MS: Int(100, 30_000, 5000),
});
type ConfigEnv = Static<typeof ConfigEnv>;

/**
 * What the deployed Anthropic key secret holds until an operator puts a real key there: read as
 * "no key", so the AI routes answer from the heuristic.
 */
export const ANTHROPIC_KEY_PLACEHOLDER = 'none';

/** A secret's value, or `undefined` for an empty value or the placeholder a deployment starts with. */
export const configuredSecretOf = (value: string | undefined): string | undefined => {
  const key = value?.trim();
  return key && key !== ANTHROPIC_KEY_PLACEHOLDER ? key : undefined;
};

/** The Anthropic key in a secret's value, or `undefined` for an empty value or the placeholder. */
export const anthropicKeyOf = configuredSecretOf;

/** The environment as `process.env` gives it. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Deployment configuration (frozen). */
export interface Config {
  /** Deployment stage, e.g. `local`, `dev`, `prod`. */
  readonly stage: string;
  /** Physical table name = `<tablePrefix>-<TableDefinition.id>`. */
  readonly tablePrefix: string;
  readonly region: string;
  /** Endpoints overriding the SDK defaults (DynamoDB Local, LocalStack); absent on AWS. */
  readonly endpoints: { readonly dynamodb?: string; readonly sqs?: string };
  /** Secrets given directly (local) or as Secrets Manager ARNs (AWS); at most one of each pair. */
  readonly secrets: {
    readonly adminToken?: string;
    readonly registrationKey?: string;
    readonly adminTokenSecretArn?: string;
    readonly registrationKeySecretArn?: string;
  };
  /** Runtime settings before any `PUT /v1/config`: API.md's defaults with the env overrides. */
  readonly settings: Settings;
  /** Days an audit event is kept, counted from when the service recorded it (`COORD_AUDIT_RETENTION_DAYS`). */
  readonly auditRetentionDays: number;
  /** Ready-index shards per team. */
  readonly readyShards: number;
  /** Ready-index shards per team items may still sit under from before (`COORD_PREVIOUS_READY_SHARDS`). */
  readonly previousReadyShards: number;
  /**
   * Seconds a process keeps the runtime settings it read (`COORD_SETTINGS_CACHE_SECONDS`, 0: none):
   * a `PUT /v1/config` takes effect everywhere within that time (at once in the process that wrote it).
   */
  readonly settingsCacheSeconds: number;
  /**
   * Seconds a process keeps a token record it read (`COORD_TOKEN_CACHE_SECONDS`, 0..30, 0: none):
   * a revoked token stops working everywhere within that time (at once in the process that revoked it).
   */
  readonly tokenCacheSeconds: number;
  /**
   * Seconds a process keeps a work item it wrote or read (`COORD_WORK_CACHE_SECONDS`, 0: none).
   * Never a staleness window: a change decided from a kept copy is written only if the item's
   * version is still the copy's, and an answer that writes nothing is made from a read.
   */
  readonly workCacheSeconds: number;
  /** Reported by `GET /v1/health` and the OpenAPI document. */
  readonly serviceVersion: string;
  readonly queues: { readonly heartbeatsUrl?: string; readonly escalationsUrl?: string };
  /**
   * The WebSocket API's management endpoint (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`,
   * locally the WebSocket server's own URL): where `PostToConnection` goes. Absent: nothing is pushed.
   */
  readonly wsCallbackUrl?: string;
  /** Origins whose pages may call the HTTP API (`COORD_CORS_ORIGINS`, `*` for any); none by default. */
  readonly corsOrigins: readonly string[];
  /** Claude: the key given directly (local) or as a Secrets Manager ARN (AWS); the SDK's base URL. */
  readonly anthropic: {
    readonly apiKey?: string;
    readonly apiKeySecretArn?: string;
    readonly baseUrl?: string;
  };
  /** Posts to WebSocket connections in flight at once per broadcaster invocation (`COORD_WS_POST_CONCURRENCY`). */
  readonly wsPostConcurrency: number;
  /** How long `GET /v1/events` follows the audit log for new events after its replay (`COORD_EVENTS_FOLLOW_SECONDS`). */
  readonly eventsFollowSeconds: number;
  /** Each caller's requests per second and burst (`COORD_RATE_LIMIT_PER_SECOND`, `COORD_RATE_LIMIT_BURST`). */
  readonly rateLimit: RateLimit;
  /** The Lambda function's timeout in ms (`COORD_FUNCTION_TIMEOUT_MS`); unset outside Lambda. */
  readonly functionTimeoutMs?: number;
  /**
   * Outgoing webhooks: the `webhooks` queue (`COORD_WEBHOOKS_QUEUE_URL`), failed deliveries in a
   * row that pause a webhook (`COORD_WEBHOOK_PAUSE_AFTER`, default 10), the retry backoff
   * (`2^n * COORD_WEBHOOK_RETRY_BASE_SECONDS`, at most `COORD_WEBHOOK_RETRY_CAP_SECONDS`) and one
   * POST's time limit (`COORD_WEBHOOK_TIMEOUT_MS`, default 5000).
   */
  readonly webhooks: {
    readonly queueUrl?: string;
    readonly pauseAfter: number;
    readonly retryBaseSeconds: number;
    readonly retryCapSeconds: number;
    readonly timeoutMs: number;
  };
  /**
   * The secret GitHub signs webhook deliveries with, given directly (local) or as a Secrets Manager
   * ARN (AWS); neither: `POST /v1/integrations/github` answers 403.
   */
  readonly githubWebhook: { readonly secret?: string; readonly secretArn?: string };
  /**
   * The secret CloudFront sends in `x-origin-verify` on a stage with a per-IP limit, given directly
   * or as a Secrets Manager ARN; requests without it are refused. Unset: no origin check.
   */
  readonly originSecret: { readonly secret?: string; readonly secretArn?: string };
}

/** The environment is unusable; the message names every bad variable. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const checkEnv = compileSchema<ConfigEnv>('config', ConfigEnv);
const ENV_NAMES = Object.keys(ConfigEnv.properties) as (keyof ConfigEnv)[];

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
};

/** Keeps only the variables the service knows, dropping empty strings (unset). */
const pickKnown = (env: Environment): Record<string, string> =>
  Object.fromEntries(
    ENV_NAMES.flatMap((name) => {
      const value = env[name];
      return value === undefined || value === '' ? [] : [[name, value]];
    }),
  );

/** One line per bad variable (a variable can break several rules at once). */
const problemsOf = (): string[] => {
  const byName = new Map<string, string[]>();
  for (const error of checkEnv.errors ?? []) {
    // Never echo the value: some variables are secrets.
    const name = error.instancePath.slice(1);
    byName.set(name, [...(byName.get(name) ?? []), error.message ?? 'is invalid']);
  }
  return [...byName].map(([name, messages]) => `${name}: ${messages.join(', ')}`);
};

const exclusive = (env: ConfigEnv): string[] =>
  (
    [
      ['COORD_ADMIN_TOKEN', 'COORD_ADMIN_TOKEN_SECRET_ARN'],
      ['COORD_REGISTRATION_KEY', 'COORD_REGISTRATION_KEY_SECRET_ARN'],
      ['ANTHROPIC_API_KEY', 'ANTHROPIC_API_KEY_SECRET_ARN'],
      ['COORD_GITHUB_WEBHOOK_SECRET', 'COORD_GITHUB_WEBHOOK_SECRET_ARN'],
      ['COORD_ORIGIN_SECRET', 'COORD_ORIGIN_SECRET_ARN'],
    ] as const
  )
    .filter(([plain, arn]) => env[plain] !== undefined && env[arn] !== undefined)
    .map(([plain, arn]) => `${plain}: give either it or ${arn}, not both`);

/**
 * Reads and validates the configuration.
 * @param env the environment; `process.env` when omitted (tests pass a plain object)
 * @throws ConfigError listing every bad variable at once
 */
export const loadConfig = (env: Environment = process.env): Config => {
  const values = pickKnown(env);
  const problems = checkEnv(values) ? [] : problemsOf();
  const parsed = values as unknown as ConfigEnv;
  problems.push(...exclusive(parsed));
  if (problems.length > 0) throw new ConfigError(problems);

  const stage = parsed.COORD_STAGE;
  return deepFreeze<Config>({
    stage,
    tablePrefix: parsed.COORD_TABLE_PREFIX ?? `coord-${stage}`,
    region: parsed.AWS_REGION,
    endpoints: {
      dynamodb: parsed.AWS_ENDPOINT_URL_DYNAMODB ?? parsed.AWS_ENDPOINT_URL,
      sqs: parsed.AWS_ENDPOINT_URL_SQS ?? parsed.AWS_ENDPOINT_URL,
    },
    secrets: {
      adminToken: parsed.COORD_ADMIN_TOKEN,
      registrationKey: parsed.COORD_REGISTRATION_KEY,
      adminTokenSecretArn: parsed.COORD_ADMIN_TOKEN_SECRET_ARN,
      registrationKeySecretArn: parsed.COORD_REGISTRATION_KEY_SECRET_ARN,
    },
    settings: {
      ...structuredClone(DEFAULT_SETTINGS),
      leaseSeconds: parsed.COORD_LEASE_SECONDS,
      heartbeatTimeoutMultiple: parsed.COORD_HEARTBEAT_TIMEOUT_MULTIPLE,
      defaultMaxAttempts: parsed.COORD_DEFAULT_MAX_ATTEMPTS,
      messageRetentionDays: parsed.COORD_MESSAGE_RETENTION_DAYS,
    },
    readyShards: parsed.COORD_READY_SHARDS,
    previousReadyShards: parsed.COORD_PREVIOUS_READY_SHARDS,
    auditRetentionDays: parsed.COORD_AUDIT_RETENTION_DAYS,
    settingsCacheSeconds: parsed.COORD_SETTINGS_CACHE_SECONDS,
    tokenCacheSeconds: parsed.COORD_TOKEN_CACHE_SECONDS,
    workCacheSeconds: parsed.COORD_WORK_CACHE_SECONDS,
    serviceVersion: parsed.COORD_SERVICE_VERSION,
    queues: {
      heartbeatsUrl: parsed.COORD_HEARTBEATS_QUEUE_URL,
      escalationsUrl: parsed.COORD_ESCALATIONS_QUEUE_URL,
    },
    wsCallbackUrl: parsed.COORD_WS_CALLBACK_URL,
    corsOrigins: parseCorsOrigins(parsed.COORD_CORS_ORIGINS),
    anthropic: {
      apiKey: parsed.ANTHROPIC_API_KEY,
      apiKeySecretArn: parsed.ANTHROPIC_API_KEY_SECRET_ARN,
      baseUrl: parsed.ANTHROPIC_BASE_URL,
    },
    wsPostConcurrency: parsed.COORD_WS_POST_CONCURRENCY,
    eventsFollowSeconds: parsed.COORD_EVENTS_FOLLOW_SECONDS,
    rateLimit: { perSecond: parsed.COORD_RATE_LIMIT_PER_SECOND, burst: parsed.COORD_RATE_LIMIT_BURST },
    functionTimeoutMs: parsed.COORD_FUNCTION_TIMEOUT_MS,
    webhooks: {
      queueUrl: parsed.COORD_WEBHOOKS_QUEUE_URL,
      pauseAfter: parsed.COORD_WEBHOOK_PAUSE_AFTER,
      retryBaseSeconds: parsed.COORD_WEBHOOK_RETRY_BASE_SECONDS,
      retryCapSeconds: parsed.COORD_WEBHOOK_RETRY_CAP_SECONDS,
      timeoutMs: parsed.COORD_WEBHOOK_TIMEOUT_MS,
    },
    githubWebhook: {
      secret: parsed.COORD_GITHUB_WEBHOOK_SECRET,
      secretArn: parsed.COORD_GITHUB_WEBHOOK_SECRET_ARN,
    },
    originSecret: { secret: parsed.COORD_ORIGIN_SECRET, secretArn: parsed.COORD_ORIGIN_SECRET_ARN },
  });
};
