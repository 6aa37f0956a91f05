/**
 * The local stand-in for Lambda's DynamoDB stream event source mapping: reads a table's stream
 * from DynamoDB Local through the DynamoDB Streams client (every shard, new shards as they
 * appear), and feeds each consumer of that table (`functions/shared/streams.ts`) its own queue of
 * records, invoked in order with the consumer's batch size and batching window. A batch whose
 * answer lists a failed record is retried from that record (as the mapping does with
 * `ReportBatchItemFailures`) up to the consumer's retry attempts, then given up.
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { tableName } from '#adapters/dynamo/tables';
import type { StreamConsumerDefinition } from '#functions/shared/streams';
import { lambdaContext } from '../api-gateway-event';
import { importEntry } from '../http-gateway';
import type { InvocationObservation } from '../otel';
import { withTimeout } from '../with-timeout';

/** A Lambda handler of DynamoDB stream events. */
export type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse | undefined>;

/** Options for {@link startStreamPollers}. */
export interface StreamPollersOptions {
  /** A client of the DynamoDB endpoint whose streams are read. */
  readonly dynamodb: DynamoDBClient;
  readonly endpoint: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly tablePrefix: string;
  readonly consumers: readonly StreamConsumerDefinition[];
  /** @default us-east-1 */
  readonly region?: string;
  /** Pause between reads of an idle shard (half of it, on average, is added to each event's latency). @default 25 */
  readonly idlePollMs?: number;
  /** An invocation running longer fails its batch. @default 60 s */
  readonly timeoutMs?: number;
  /** @default writes to stderr */
  readonly onError?: (what: string, error: unknown) => void;
  /** Loads a consumer's handler. @default imports its entry once */
  readonly loadHandler?: (consumer: StreamConsumerDefinition) => Promise<StreamHandler>;
  /**
   * Watches every invocation (e.g. as a trace span, `../otel`): the consumer, its batch, which
   * attempt at it (1 first); the handler runs inside `within`. @default none
   */
  readonly observe?: (
    consumer: StreamConsumerDefinition,
    records: readonly DynamoDBRecord[],
    attempt: number,
  ) => InvocationObservation;
}

/** Running stream pollers. */
export interface StreamPollers {
  /** Stops reading and lets running invocations finish. Safe to call twice. */
  stop(): Promise<void>;
}

const pause = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * How often the stream's shard list is read again (new shards appear as old ones close; a shard
 * that closes triggers a read at once). The read sits in the polling loop, in front of the next
 * records, so it is kept rare.
 */
const DESCRIBE_INTERVAL_MS = 5000;

/** The record as Lambda's event source mapping hands it over. */
const lambdaRecord = (record: StreamRecord, streamArn: string, region: string): DynamoDBRecord => {
  const change = record.dynamodb;
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(change?.ApproximateCreationDateTime && {
        ApproximateCreationDateTime: Math.floor(change.ApproximateCreationDateTime.getTime() / 1000),
      }),
      ...(change?.Keys && { Keys: change.Keys as never }),
      ...(change?.NewImage && { NewImage: change.NewImage as never }),
      ...(change?.OldImage && { OldImage: change.OldImage as never }),
      ...(change?.SequenceNumber && { SequenceNumber: change.SequenceNumber }),
      ...(change?.SizeBytes !== undefined && { SizeBytes: change.SizeBytes }),
      ...(change?.StreamViewType && { StreamViewType: change.StreamViewType }),
    },
  };
};

/** One consumer's queue of records and the loop invoking its handler. */
class ConsumerFeed {
  private readonly pending: DynamoDBRecord[] = [];
  private wake: (() => void) | undefined;
  readonly done: Promise<void>;

  constructor(
    private readonly consumer: StreamConsumerDefinition,
    private readonly load: () => Promise<StreamHandler>,
    private readonly options: {
      region: string;
      timeoutMs: number;
      onError: (what: string, e: unknown) => void;
      observe?: StreamPollersOptions['observe'];
    },
    private readonly signal: AbortSignal,
  ) {
    this.done = this.run();
  }

  push(records: readonly DynamoDBRecord[]): void {
    this.pending.push(...records);
    this.wake?.();
  }

  private async waitForRecords(): Promise<void> {
    if (this.pending.length > 0 || this.signal.aborted) return;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      this.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    this.wake = undefined;
  }

  private async run(): Promise<void> {
    const windowMs = (this.consumer.maxBatchingWindowSeconds ?? 0) * 1000;
    while (!this.signal.aborted) {
      await this.waitForRecords();
      if (this.signal.aborted) break;
      if (windowMs > 0 && this.pending.length < this.consumer.batchSize) await pause(windowMs, this.signal);
      const batch = this.pending.splice(0, this.consumer.batchSize);
      await this.invoke(batch);
    }
  }

  /** Invokes the handler, retrying from the first failed record, then gives the rest up. */
  private async invoke(batch: DynamoDBRecord[]): Promise<void> {
    let records = batch;
    for (let attempt = 0; records.length > 0; attempt++) {
      const failedFrom = await this.invokeOnce(records, attempt + 1);
      if (failedFrom === undefined) return;
      if (attempt >= this.consumer.retryAttempts) {
        this.options.onError(
          `${this.consumer.id}: gave up ${records.length - failedFrom} records after ${attempt + 1} attempts`,
          undefined,
        );
        return;
      }
      records = records.slice(failedFrom);
      await pause(Math.min(1000, 100 * 2 ** attempt), this.signal);
    }
  }

  /** The index of the first failed record, or `undefined` when the batch succeeded. */
  private async invokeOnce(records: DynamoDBRecord[], attempt: number): Promise<number | undefined> {
    const observation = this.options.observe?.(this.consumer, records, attempt);
    try {
      const handler = await this.load();
      const run = () =>
        handler(
          { Records: records },
          lambdaContext(`coord-local-${this.consumer.id}`, this.options.timeoutMs, this.options.region),
        );
      const result = await withTimeout(observation ? observation.within(run) : run(), this.options.timeoutMs);
      if (result === 'timed_out') throw new Error(`no answer within ${this.options.timeoutMs} ms`);
      const failed = new Set((result?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
      observation?.ended({ failed });
      if (failed.size === 0) return undefined;
      const index = records.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
      return index === -1 ? 0 : index;
    } catch (error) {
      observation?.ended({ error });
      this.options.onError(`${this.consumer.id}: invocation failed`, error);
      return 0;
    }
  }
}

/** Reads one table's stream, shard by shard, and hands records to its feeds. */
const readStream = async (
  options: StreamPollersOptions & { region: string; idlePollMs: number },
  streams: DynamoDBStreamsClient,
  table: string,
  feeds: readonly ConsumerFeed[],
  signal: AbortSignal,
  onError: (what: string, error: unknown) => void,
): Promise<void> => {
  const described = await options.dynamodb.send(new DescribeTableCommand({ TableName: table }));
  const streamArn = described.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`Table ${table} has no stream`);
  // Shards present at start are read from now on; shards that appear later from their start.
  // After a failed read a shard resumes after the last record handed on (else where it began).
  const iterators = new Map<string, string | undefined>();
  const lastSeen = new Map<string, string>();
  const startAt = new Map<string, 'LATEST' | 'TRIM_HORIZON'>();
  const closed = new Set<string>();
  const iteratorOf = async (shardId: string): Promise<string | undefined> => {
    const after = lastSeen.get(shardId);
    const answer = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
          : { ShardIteratorType: startAt.get(shardId) ?? 'TRIM_HORIZON' }),
      }),
    );
    return answer.ShardIterator;
  };
  let first = true;
  let describedAt = 0;
  while (!signal.aborted) {
    try {
      if (Date.now() - describedAt >= DESCRIBE_INTERVAL_MS) {
        describedAt = Date.now();
        const stream = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
        for (const shard of stream.StreamDescription?.Shards ?? []) {
          const id = shard.ShardId;
          if (!id || iterators.has(id) || closed.has(id)) continue;
          const isOpen = shard.SequenceNumberRange?.EndingSequenceNumber === undefined;
          if (first && !isOpen) {
            closed.add(id);
            continue;
          }
          if (!startAt.has(id)) startAt.set(id, first ? 'LATEST' : 'TRIM_HORIZON');
          iterators.set(id, await iteratorOf(id));
        }
        first = false;
      }
    } catch (error) {
      if (signal.aborted) break;
      onError(`stream of ${table}`, error);
      await pause(1000, signal);
      continue;
    }
    let got = 0;
    for (const [id, iterator] of iterators) {
      if (signal.aborted) break;
      if (iterator === undefined) {
        iterators.delete(id);
        closed.add(id);
        describedAt = 0;
        continue;
      }
      try {
        const answer = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        const records = (answer.Records ?? []).map((record) =>
          lambdaRecord(record, streamArn, options.region),
        );
        got += records.length;
        const last = records.at(-1)?.dynamodb?.SequenceNumber;
        if (last) lastSeen.set(id, last);
        if (records.length > 0) for (const feed of feeds) feed.push(records);
        iterators.set(id, answer.NextShardIterator);
      } catch (error) {
        if (signal.aborted) break;
        // An expired or trimmed iterator: ask for a new one where this shard left off.
        const name = (error as { name?: string }).name;
        if (name !== 'ExpiredIteratorException' && name !== 'TrimmedDataAccessException') {
          onError(`stream of ${table}, shard ${id}`, error);
        }
        iterators.set(id, await iteratorOf(id).catch(() => undefined));
        if (iterators.get(id) === undefined) {
          iterators.delete(id);
          describedAt = 0;
        }
      }
    }
    if (got === 0) await pause(options.idlePollMs, signal);
  }
};

/** Starts one stream reader per table with consumers, and one feed per consumer. */
export const startStreamPollers = (options: StreamPollersOptions): StreamPollers => {
  const region = options.region ?? 'us-east-1';
  const onError =
    options.onError ??
    ((what: string, error: unknown) => console.error(`[stream-poller] ${what}:`, error ?? ''));
  const aborter = new AbortController();
  const streams = new DynamoDBStreamsClient({
    region,
    endpoint: options.endpoint,
    credentials: { ...options.credentials },
  });
  const handlers = new Map<string, Promise<StreamHandler>>();
  const load = (consumer: StreamConsumerDefinition) => () => {
    let handler = handlers.get(consumer.id);
    if (!handler) {
      handler =
        options.loadHandler?.(consumer) ??
        (importEntry({
          id: consumer.id,
          entry: consumer.entry,
          method: 'STREAM',
          path: consumer.id,
        }) as unknown as Promise<StreamHandler>);
      handler.catch(() => handlers.delete(consumer.id));
      handlers.set(consumer.id, handler);
    }
    return handler;
  };
  const byTable = new Map<string, StreamConsumerDefinition[]>();
  for (const consumer of options.consumers) {
    byTable.set(consumer.table.id, [...(byTable.get(consumer.table.id) ?? []), consumer]);
  }
  const feeds: ConsumerFeed[] = [];
  const readers = [...byTable.values()].map((consumers) => {
    const tableFeeds = consumers.map(
      (consumer) =>
        new ConsumerFeed(
          consumer,
          load(consumer),
          { region, timeoutMs: options.timeoutMs ?? 60_000, onError, observe: options.observe },
          aborter.signal,
        ),
    );
    feeds.push(...tableFeeds);
    const table = consumers[0]?.table;
    if (!table) return Promise.resolve();
    return readStream(
      { ...options, region, idlePollMs: options.idlePollMs ?? 25 },
      streams,
      tableName(options.tablePrefix, table),
      tableFeeds,
      aborter.signal,
      onError,
    ).catch((error: unknown) => onError(`stream of ${table.id}`, error));
  });
  let stopping: Promise<void> | undefined;
  return {
    stop: () => {
      stopping ??= (async () => {
        aborter.abort();
        await Promise.all([...readers, ...feeds.map((feed) => feed.done)]);
        streams.destroy();
      })();
      return stopping;
    },
  };
};
