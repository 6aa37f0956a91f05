/**
 * The bill per million claim cycles and the Lambda concurrency of a profile, from the same
 * model: DynamoDB request units as the model bills them (index writes, transactions twice),
 * Lambda requests and GB-seconds at each function's configured memory (lib/stage-config.ts,
 * prod), API Gateway HTTP requests, SQS requests and WebSocket messages and connection minutes.
 */
import { STAGES } from '../../lib/stage-config';
import type { CapacityReport, RequestRates } from './model';
import {
  DYNAMODB_READ_REQUEST_USD,
  DYNAMODB_WRITE_REQUEST_USD,
  HTTP_API_REQUEST_USD,
  LAMBDA_ARM_GB_SECOND_USD,
  LAMBDA_REQUEST_USD,
  SQS_REQUEST_USD,
  WEBSOCKET_CONNECTION_MINUTE_USD,
  WEBSOCKET_MESSAGE_USD,
} from './pricing';

/**
 * Billed duration of one invocation, in ms. Estimates, not measurements on AWS: each request is
 * its sequential DynamoDB round trips at ~8 ms (DynamoDB's single-digit-ms latency in-region) plus
 * ~10 ms of handler work (middy chain, validation, logging); claim-next is settings+agent, the
 * ready queries, the transaction, and the idempotency put and update. Measure them with
 * CloudWatch `Duration` after the first deployment and replace these.
 */
export const DURATION_MS = {
  'http/create-work': 50,
  'http/claim-next': 60,
  'http/report-progress': 50,
  'http/complete-work': 50,
  'http/heartbeat': 35,
  /** Per batch, plus {@link PER_RECORD_MS} per heartbeat: an agent read, a put, a held-items query and a renewal, one agent after the other. */
  'queues/heartbeats': 20,
  /** Per batch, plus per event: a channel query per channel and the posts (in parallel). */
  'streams/broadcast-events': 20,
  /** Per batch: two row updates and a depth check, whatever the batch size. */
  'streams/rollup-metrics': 60,
  /** One bounded pass (DEFAULT_SWEEP_LIMITS). */
  'scheduled/sweep': 2000,
} as const;

/** Billed ms each record of a batch adds to its consumer's invocation (same estimate as above). */
export const PER_RECORD_MS: Partial<Record<keyof typeof DURATION_MS, number>> = {
  'queues/heartbeats': 35,
  'streams/broadcast-events': 15,
};

/** A Lambda function of the model. */
export type ModelFunction = keyof typeof DURATION_MS;

/** The account's default concurrent executions per region. */
export const DEFAULT_ACCOUNT_CONCURRENCY = 1000;

/** Headroom the reserved concurrency leaves over the average need (bursts, slow calls). */
export const CONCURRENCY_HEADROOM = 2;

/** Memory of a function in the prod stage, in MiB. */
export const memoryOf = (fn: ModelFunction, stage = 'prod'): number => {
  const config = STAGES[stage];
  if (!config) throw new Error(`Unknown stage ${stage}`);
  return config.functions[fn]?.memoryMiB ?? config.defaultMemoryMiB;
};

/**
 * The most concurrent executions the prod stage lets a function have: its reserved concurrency,
 * or for a queue consumer the event source's maximum concurrency; `undefined` when uncapped.
 */
export const capOf = (fn: ModelFunction, stage = 'prod'): number | undefined => {
  const config = STAGES[stage];
  if (!config) throw new Error(`Unknown stage ${stage}`);
  return (
    config.functions[fn]?.reservedConcurrency ??
    (fn.startsWith('queues/') ? config.queueConsumerMaxConcurrency : undefined)
  );
};

/** One function's load. */
export interface FunctionLoad {
  readonly fn: ModelFunction;
  readonly invocationsPerSec: number;
  readonly memoryMiB: number;
  readonly durationMs: number;
  /** Average concurrent executions: invocations per second times duration. */
  readonly concurrency: number;
  /** What to reserve: the average need times the headroom, rounded up (at least 1). */
  readonly suggestedReserved: number;
  /** The prod stage's cap on its concurrency, if any ({@link capOf}). */
  readonly prodCap?: number;
}

/** The bill of a profile, per million claim cycles, by line. */
export interface CostReport {
  readonly functions: readonly FunctionLoad[];
  readonly totalConcurrency: number;
  /** HTTP requests per second against the prod stage's HTTP API rate limit. */
  readonly httpRequestsPerSec: number;
  readonly prodHttpRateLimit?: number;
  readonly perMillionCycles: Readonly<
    Record<
      | 'dynamoWrites'
      | 'dynamoReads'
      | 'lambdaRequests'
      | 'lambdaCompute'
      | 'httpApi'
      | 'sqs'
      | 'webSocket'
      | 'total',
      number
    >
  >;
}

/** Invocations per second and average concurrent executions of every function, from a run's rates. */
export const functionRates = (
  rates: RequestRates,
): { fn: ModelFunction; invocationsPerSec: number; durationMs: number; concurrency: number }[] => {
  const invocations: Record<ModelFunction, number> = {
    'http/create-work': rates.byRoute.create,
    'http/claim-next': rates.byRoute.claim,
    'http/report-progress': rates.byRoute.progress,
    'http/complete-work': rates.byRoute.complete,
    'http/heartbeat': rates.byRoute.heartbeat,
    'queues/heartbeats': rates.heartbeatBatches,
    'streams/broadcast-events': rates.broadcastBatches,
    'streams/rollup-metrics': rates.rollupBatches,
    'scheduled/sweep': rates.sweepsPerSec,
  };
  const records: Partial<Record<ModelFunction, number>> = {
    'queues/heartbeats': rates.heartbeatRequests,
    'streams/broadcast-events': rates.eventsPerSec,
  };
  return (Object.keys(DURATION_MS) as ModelFunction[]).map((fn) => {
    const perBatch = invocations[fn] > 0 ? (records[fn] ?? 0) / invocations[fn] : 0;
    const durationMs = DURATION_MS[fn] + (PER_RECORD_MS[fn] ?? 0) * perBatch;
    return {
      fn,
      invocationsPerSec: invocations[fn],
      durationMs,
      concurrency: (invocations[fn] * durationMs) / 1000,
    };
  });
};

/** The cost and concurrency of a model run. */
export const costOf = (report: CapacityReport): CostReport => {
  const { rates, profile } = report;
  const functions = functionRates(rates).map(
    ({ fn, invocationsPerSec, durationMs, concurrency }): FunctionLoad => ({
      fn,
      invocationsPerSec,
      memoryMiB: memoryOf(fn),
      durationMs: Math.round(durationMs),
      concurrency,
      suggestedReserved: Math.max(1, Math.ceil(concurrency * CONCURRENCY_HEADROOM)),
      ...(capOf(fn) === undefined ? {} : { prodCap: capOf(fn) }),
    }),
  );
  const perSec = {
    dynamoWrites: report.billedWritesPerSec * DYNAMODB_WRITE_REQUEST_USD,
    dynamoReads: report.billedReadsPerSec * DYNAMODB_READ_REQUEST_USD,
    lambdaRequests: functions.reduce((sum, f) => sum + f.invocationsPerSec, 0) * LAMBDA_REQUEST_USD,
    lambdaCompute:
      functions.reduce((sum, f) => sum + f.concurrency * (f.memoryMiB / 1024), 0) * LAMBDA_ARM_GB_SECOND_USD,
    httpApi: rates.httpRequests * HTTP_API_REQUEST_USD,
    // A heartbeat is one SendMessage; the consumer's poller receives and deletes each batch.
    sqs: (rates.heartbeatRequests + 2 * rates.heartbeatBatches) * SQS_REQUEST_USD,
    webSocket:
      rates.webSocketMessages * WEBSOCKET_MESSAGE_USD +
      (profile.dashboardViewers / 60) * WEBSOCKET_CONNECTION_MINUTE_USD,
  };
  const total = Object.values(perSec).reduce((sum, value) => sum + value, 0);
  const scale = 1e6 / profile.claimCyclesPerSec;
  const perMillionCycles = Object.fromEntries(
    Object.entries({ ...perSec, total }).map(([line, usd]) => [line, usd * scale]),
  ) as CostReport['perMillionCycles'];
  const httpRateLimit = STAGES.prod?.httpThrottle.rateLimit;
  return {
    functions,
    totalConcurrency: functions.reduce((sum, f) => sum + f.concurrency, 0),
    httpRequestsPerSec: rates.httpRequests,
    ...(httpRateLimit === undefined ? {} : { prodHttpRateLimit: httpRateLimit }),
    perMillionCycles,
  };
};
