/**
 * The bill per million claim cycles and the Lambda concurrency of a profile, from the same
 * model: DynamoDB request units as the model bills them (index writes, transactions twice),
 * Lambda requests and GB-seconds at each function's configured memory (lib/stage-config.ts,
 * prod), API Gateway HTTP requests, SQS requests and WebSocket messages and connection minutes.
 */
import { STAGES } from '../../lib/stage-config';
import type { CapacityReport } from './model';
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
  /** A batch of up to 100 heartbeats, each agent a read, a put, a held-items query and a renewal. */
  'queues/heartbeats': 1500,
  /** A batch of about 10 events, each a channel query per channel and the posts. */
  'streams/broadcast-events': 150,
  /** A batch of about 100 events: two row updates and a depth check. */
  'streams/rollup-metrics': 60,
  /** One bounded pass (DEFAULT_SWEEP_LIMITS). */
  'scheduled/sweep': 2000,
} as const;

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
}

/** The bill of a profile, per million claim cycles, by line. */
export interface CostReport {
  readonly functions: readonly FunctionLoad[];
  readonly totalConcurrency: number;
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

/** The cost and concurrency of a model run. */
export const costOf = (report: CapacityReport): CostReport => {
  const { rates, profile } = report;
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
  const functions = (Object.keys(DURATION_MS) as ModelFunction[]).map((fn): FunctionLoad => {
    const concurrency = (invocations[fn] * DURATION_MS[fn]) / 1000;
    return {
      fn,
      invocationsPerSec: invocations[fn],
      memoryMiB: memoryOf(fn),
      durationMs: DURATION_MS[fn],
      concurrency,
      suggestedReserved: Math.max(1, Math.ceil(concurrency * CONCURRENCY_HEADROOM)),
    };
  });
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
  return {
    functions,
    totalConcurrency: functions.reduce((sum, f) => sum + f.concurrency, 0),
    perMillionCycles,
  };
};
