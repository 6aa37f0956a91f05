/**
 * Metrics rollups as small rows of the Meta table (`METRICS#<minute|hour>#<bucket start>`): the
 * counters and histogram buckets are top-level numbers grown with `ADD` (so concurrent writers
 * never lose a count), the queue depth snapshot a map set once, and every row expires (TTL). A
 * summary reads a window's rows by key with BatchGet (at most 168 for seven days of hours).
 */
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { MetricsStore } from '#core/metrics/ports';
import {
  COUNTERS,
  type Granularity,
  LATENCY_BUCKETS_MS,
  type Rollup,
  type RollupIncrement,
  zeroCounters,
} from '#core/metrics/rollup';
import { isConditionFailure, storeCall, translateStoreError } from './errors';
import { anyOf, Expression } from './expression';
import { PK } from './keys';
import { EXPIRES_AT } from './records';

/** How long rollups are kept: minutes serve windows up to an hour, hours up to seven days. */
const RETENTION_SECONDS: Record<Granularity, number> = { minute: 2 * 86_400, hour: 8 * 86_400 };
/** BatchGetItem takes at most this many keys. */
const BATCH_GET_LIMIT = 100;
const DEPTH = 'depth';
const PUSH_KEY = { [PK]: 'METRICS#PUSH' };

/** Primary key of the rollup of one bucket. */
export const rollupKey = (granularity: Granularity, at: string) => ({ [PK]: `METRICS#${granularity}#${at}` });

const latencyAttribute = (index: number): string => `lat${index}`;

/** The rollups of the Meta table behind the {@link MetricsStore} port. */
export class DynamoMetricsStore implements MetricsStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async add(granularity: Granularity, at: string, increment: RollupIncrement): Promise<void> {
    const expression = new Expression();
    const adds = [
      ...Object.entries(increment.counters).map(
        ([name, amount]) => `${expression.name(name)} ${expression.value(amount)}`,
      ),
      ...Object.entries(increment.latency ?? {}).map(
        ([index, amount]) =>
          `${expression.name(latencyAttribute(Number(index)))} ${expression.value(amount)}`,
      ),
    ];
    if (adds.length === 0) return;
    const ttl = Math.floor(Date.parse(at) / 1000) + RETENTION_SECONDS[granularity];
    await storeCall('UpdateItem', () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: rollupKey(granularity, at),
          UpdateExpression: `ADD ${adds.join(', ')} SET ${expression.name(EXPIRES_AT)} = ${expression.value(ttl)}`,
          ...expression.attributes(),
        }),
      ),
    );
  }

  async get(granularity: Granularity, starts: readonly string[]): Promise<Rollup[]> {
    const found: Rollup[] = [];
    for (let at = 0; at < starts.length; at += BATCH_GET_LIMIT) {
      let keys: Record<string, unknown>[] = starts
        .slice(at, at + BATCH_GET_LIMIT)
        .map((start) => rollupKey(granularity, start));
      for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
        const answer = await storeCall('BatchGetItem', () =>
          this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } })),
        );
        for (const item of answer.Responses?.[this.tableName] ?? []) found.push(this.rollupOf(item));
        keys = answer.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  async hasDepth(at: string): Promise<boolean> {
    const expression = new Expression();
    const answer = await storeCall('GetItem', () =>
      this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: rollupKey('minute', at),
          ProjectionExpression: expression.name(DEPTH),
          ...expression.attributes(),
        }),
      ),
    );
    return answer.Item?.[DEPTH] !== undefined;
  }

  async setDepth(
    at: string,
    depth: Readonly<Record<string, Readonly<Record<string, number>>>>,
  ): Promise<void> {
    const expression = new Expression();
    const ttl = Math.floor(Date.parse(at) / 1000) + RETENTION_SECONDS.minute;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: rollupKey('minute', at),
          UpdateExpression: `SET ${expression.name(DEPTH)} = ${expression.value(depth)}, ${expression.name(EXPIRES_AT)} = ${expression.value(ttl)}`,
          ConditionExpression: `attribute_not_exists(${expression.name(DEPTH)})`,
          ...expression.attributes(),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw translateStoreError(error, 'UpdateItem');
    }
  }

  async claimPush(now: Date, intervalMs: number): Promise<boolean> {
    const expression = new Expression();
    const last = expression.name('lastPushAt');
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: PUSH_KEY,
          UpdateExpression: `SET ${last} = ${expression.value(now.getTime())}`,
          ConditionExpression: anyOf(
            `attribute_not_exists(${last})`,
            `${last} <= ${expression.value(now.getTime() - intervalMs)}`,
          ),
          ...expression.attributes(),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw translateStoreError(error, 'UpdateItem');
    }
  }

  private rollupOf(item: Record<string, unknown>): Rollup {
    const key = String(item[PK]);
    const counters = zeroCounters();
    for (const name of COUNTERS) counters[name] = Number(item[name] ?? 0);
    return {
      at: key.slice(key.indexOf('#', 'METRICS#'.length) + 1),
      counters,
      latency: Array.from({ length: LATENCY_BUCKETS_MS.length + 1 }, (_, index) =>
        Number(item[latencyAttribute(index)] ?? 0),
      ),
      ...(item[DEPTH] !== undefined && { depth: item[DEPTH] as Rollup['depth'] }),
    };
  }
}
