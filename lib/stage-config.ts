import type { ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** Memory and concurrency of one function. */
export interface FunctionSettings {
  /** Memory, in MiB. @default the stage's `defaultMemoryMiB` */
  readonly memoryMiB?: number;
  /** Concurrent executions reserved for (and capping) the function. @default none: it shares the account's pool */
  readonly reservedConcurrency?: number;
}

/**
 * Where the service reads its tables. `create`: the data stack creates and owns them. `import`:
 * they exist already (restored from a point in time or from a backup, see docs/runbook.md) and
 * the stacks only reference them by name.
 */
export type TableSource =
  | { readonly kind: 'create' }
  | {
      readonly kind: 'import';
      /** Stream ARN of every imported table that streams (`Events`), by table id. */
      readonly streamArns: Readonly<Record<string, string>>;
    };

/**
 * OpenTelemetry export through the AWS Distro for OpenTelemetry (ADOT) Lambda layer: every
 * function gets the layer and runs under its wrapper (`AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler`).
 * X-Ray active tracing stays on.
 */
export interface OpenTelemetrySettings {
  /**
   * ARN of the ADOT Node.js layer for the stage's region and arm64, e.g.
   * `arn:aws:lambda:<region>:901920570463:layer:aws-otel-nodejs-arm64-ver-1-x-x:N`.
   */
  readonly layerArn: string;
  /** OTLP endpoint the layer's collector sends to (`OTEL_EXPORTER_OTLP_ENDPOINT`). @default the layer's own configuration (X-Ray) */
  readonly endpoint?: string;
}

/** How one stage is deployed. Every field is required, so a new stage states every choice. */
export interface StageConfig {
  /** Stage name: lower-case letters, digits and dashes, starting with a letter. */
  readonly stage: string;
  /** AWS account; `undefined` takes the CLI's (`CDK_DEFAULT_ACCOUNT`). */
  readonly account: string | undefined;
  /** AWS region; `undefined` takes the CLI's (`CDK_DEFAULT_REGION`). */
  readonly region: string | undefined;
  /** Production: termination protection, deletion protection, and data kept when stacks are deleted. */
  readonly isProd: boolean;
  /** Physical table name prefix (`<prefix>-Work`); a restore switches it to the restored tables'. */
  readonly tablePrefix: string;
  /** Whether the data stack creates the tables or references existing (restored) ones. */
  readonly tableSource: TableSource;
  /** Whether an AWS Backup plan covers the tables (LocalStack has no AWS Backup). */
  readonly backup: boolean;
  /** How long function logs are kept. */
  readonly logRetention: RetentionDays;
  /** Request rate limits of the HTTP API. */
  readonly httpThrottle: ThrottleSettings;
  /** Origins whose pages may call the HTTP API (`*` for any); none: no CORS (the dashboard is same-origin). */
  readonly corsOrigins: readonly string[];
  /** Message rate limits of the WebSocket API. */
  readonly wsThrottle: ThrottleSettings;
  /** E-mail addresses subscribed to the alarm topic. */
  readonly alarmEmails: readonly string[];
  /** Memory of every function without its own setting, in MiB. */
  readonly defaultMemoryMiB: number;
  /** Per-function settings, keyed by entry without `functions/` and `.ts` (`scheduled/sweep`, `http/claim-next`). */
  readonly functions: Readonly<Record<string, FunctionSettings>>;
  /** Most concurrent invocations of each queue consumer (SQS `maxConcurrency`, at least 2). */
  readonly queueConsumerMaxConcurrency: number;
  /** Which optional stacks exist (LocalStack's free tier lacks HTTP/WebSocket APIs, CloudFront and CodeDeploy). */
  readonly stacks: {
    readonly api: boolean;
    readonly realtime: boolean;
    readonly web: boolean;
    readonly observability: boolean;
  };
  /** Whether functions shift traffic through CodeDeploy canaries with alarm rollback. */
  readonly canary: boolean;
  /**
   * Per-IP request limit at the dashboard's CloudFront distribution (`/v1/*`, `/openapi.json` and
   * the site): an AWS WAF rate-based rule in the `coord-<stage>-edge` stack (us-east-1) blocks an IP
   * with 429 once it sends more than `requestsPer5Minutes` requests in the last 5 minutes.
   * Needs the web stack and a known region. @default none: no WAF
   */
  readonly perIpLimit?: PerIpLimit;
  /** OpenTelemetry export through the ADOT Lambda layer. @default none: X-Ray tracing only */
  readonly openTelemetry?: OpenTelemetrySettings;
}

/** A per-IP rate limit enforced by AWS WAF (see {@link StageConfig.perIpLimit}). */
export interface PerIpLimit {
  /** Requests one IP may send in any 5-minute window: a whole number from 10 (WAF's minimum) to 2,000,000,000. */
  readonly requestsPer5Minutes: number;
  /**
   * The version of the origin secret (`OriginSecretArn`) CloudFront sends to the HTTP API in
   * `x-origin-verify`: set it to the `VersionId` `aws secretsmanager put-secret-value` printed,
   * then deploy the web stack, to send a rotated value (README, "Per-IP limits and WAF").
   * @default the secret's current version whenever the distribution is updated
   */
  readonly originSecretVersionId?: string;
}

/** WAF's bounds on a rate-based rule's limit. */
export const PER_IP_LIMIT_BOUNDS = { min: 10, max: 2_000_000_000 } as const;

/**
 * The stage's per-IP limit, checked against WAF's bounds.
 * @throws Error naming the stage when the limit is not a whole number within the bounds.
 */
export const perIpLimitOf = (config: StageConfig): PerIpLimit | undefined => {
  const limit = config.perIpLimit;
  if (limit === undefined) return undefined;
  const { requestsPer5Minutes: requests } = limit;
  const { min, max } = PER_IP_LIMIT_BOUNDS;
  if (!Number.isInteger(requests) || requests < min || requests > max) {
    throw new Error(
      `Stage ${config.stage}: perIpLimit.requestsPer5Minutes must be a whole number from ${min} to ${max}, not ${requests}`,
    );
  }
  return limit;
};

const dev: StageConfig = {
  stage: 'dev',
  account: undefined,
  region: undefined,
  isProd: false,
  tablePrefix: 'coord-dev',
  tableSource: { kind: 'create' },
  backup: true,
  logRetention: RetentionDays.TWO_WEEKS,
  httpThrottle: { rateLimit: 100, burstLimit: 200 },
  corsOrigins: [],
  wsThrottle: { rateLimit: 100, burstLimit: 200 },
  alarmEmails: [],
  defaultMemoryMiB: 512,
  functions: {},
  queueConsumerMaxConcurrency: 5,
  stacks: { api: true, realtime: true, web: true, observability: true },
  canary: true,
};

const prod: StageConfig = {
  ...dev,
  stage: 'prod',
  isProd: true,
  tablePrefix: 'coord-prod',
  logRetention: RetentionDays.THREE_MONTHS,
  // The largest capacity profiles (docs/capacity.md: `fleet`, `one-big-team`) send about 7,300
  // requests/s; the account's default API Gateway quota is 10,000/s with a burst of 5,000.
  httpThrottle: { rateLimit: 8000, burstLimit: 5000 },
  wsThrottle: { rateLimit: 500, burstLimit: 1000 },
  // Replace with the on-call address (or add more) before the first production deploy.
  alarmEmails: ['oncall@example.com'],
  functions: {
    'http/claim-next': { memoryMiB: 1024, reservedConcurrency: 100 },
    'http/heartbeat': { reservedConcurrency: 100 },
    'streams/broadcast-events': { memoryMiB: 1024 },
  },
  // `fleet` keeps about 12 heartbeat batches in flight (docs/capacity.md): room for twice that.
  queueConsumerMaxConcurrency: 25,
  // 6000 requests per 5 minutes is 20 a second from one IP, sustained: far above one agent's
  // heartbeats and claims or a person on the dashboard, and above a NAT gateway shared by a few
  // dozen agents, yet it stops one address flooding the API before the stage throttle (shared by
  // all callers) starves everyone else.
  perIpLimit: { requestsPer5Minutes: 6000 },
};

/** The stage `cdklocal` deploys to LocalStack: only what LocalStack's free tier runs. */
const local: StageConfig = {
  ...dev,
  stage: 'local',
  tablePrefix: 'coord-local',
  backup: false,
  logRetention: RetentionDays.ONE_WEEK,
  // LocalStack's free tier ignores reserved concurrency; no need to ask for it.
  functions: {},
  stacks: { api: false, realtime: false, web: false, observability: false },
  canary: false,
};

/** The stages this app deploys, by name. */
export const STAGES: Readonly<Record<string, StageConfig>> = { dev, prod, local };

/**
 * The configuration of a stage.
 * @throws Error naming the known stages when `stage` is missing or unknown.
 */
export const stageConfig = (
  stage: unknown,
  stages: Readonly<Record<string, StageConfig>> = STAGES,
): StageConfig => {
  const known = Object.keys(stages).join(', ');
  if (stage === undefined || stage === null || stage === '') {
    throw new Error(`No stage given: run cdk with -c stage=<name>, one of ${known}`);
  }
  const config = typeof stage === 'string' ? stages[stage] : undefined;
  if (!config) throw new Error(`Unknown stage "${String(stage)}": use one of ${known}`);
  return config;
};

/** The settings key of a function: its entry without `functions/` and `.ts` (`http/claim-next`). */
export const functionKey = (entry: string): string => entry.replace(/^functions\//, '').replace(/\.ts$/, '');
