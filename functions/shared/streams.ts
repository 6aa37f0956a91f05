/**
 * The stream consumers: which handler module reads which table's DynamoDB stream. Pure data,
 * like `consumers.ts`: CDK makes one function and event source mapping per entry, and the local
 * runtime one stream poller per table feeding every consumer of it, so both run the same
 * handlers with the same batch settings.
 */
import { eventsTable, type TableDefinition } from '#adapters/dynamo/tables';

/** One stream consumer. */
export interface StreamConsumerDefinition {
  /** Stable id: the consumer function's logical name. */
  readonly id: string;
  /** The table whose stream it reads (the table's definition must have `stream: true`). */
  readonly table: TableDefinition;
  /** Handler module, relative to the project root; it exports `handler`. */
  readonly entry: string;
  /** Most records per invocation. */
  readonly batchSize: number;
  /** How long to gather records before invoking, in seconds. @default 0 */
  readonly maxBatchingWindowSeconds?: number;
  /** Times a failing batch is retried (bisected) before its records are given up (and sent to the DLQ). */
  readonly retryAttempts: number;
}

/** Every stream consumer. */
export const STREAM_CONSUMERS: readonly StreamConsumerDefinition[] = [
  {
    id: 'broadcaster',
    table: eventsTable,
    entry: 'functions/streams/broadcast-events.ts',
    batchSize: 100,
    retryAttempts: 3,
  },
  {
    id: 'metricsRollup',
    table: eventsTable,
    entry: 'functions/streams/rollup-metrics.ts',
    batchSize: 100,
    maxBatchingWindowSeconds: 1,
    retryAttempts: 5,
  },
];
