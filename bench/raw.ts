/**
 * The store's own ceiling, measured in the same run as the service: closed-loop clients doing
 * what one claim costs DynamoDB at its cheapest, against a scratch table of the same DynamoDB.
 *
 * - `update`: one conditional UpdateItem (`attribute_exists` on a seeded item, a counter bumped);
 * - `transact3`: one TransactWriteItems of three writes (two conditional updates and a put), the
 *   shape of a claim (item, agent, audit event).
 *
 * Keys are drawn at random from eight per client, so clients rarely meet on one item: what is
 * measured is the store's rate, not contention.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { cpuSince } from './process-cpu';
import { percentile } from './support';

/** One raw measurement. */
export interface RawResult {
  readonly kind: 'update' | 'transact3';
  readonly concurrency: number;
  readonly seconds: number;
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Operations the store refused (a transaction conflict between two clients, a throttle). */
  readonly refused: number;
  /** Those refusals by error name (and cancellation reasons of a cancelled transaction). */
  readonly refusedBy: Readonly<Record<string, number>>;
  /** DynamoDB Local's CPU milliseconds per operation (absent where `/proc` cannot show it). */
  readonly storeCpuMsPerOp?: number;
  /**
   * This process's CPU milliseconds per operation: the SDK client building, signing, sending and
   * parsing the call (the local stack beside it is idle then, its background timers aside).
   */
  readonly clientCpuMsPerOp: number;
}

const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

/** A scratch table (string key `pk`, on demand) with `keys` seeded items, dropped by `drop`. */
export const scratchTable = async (client: DynamoDBClient, keys: number) => {
  const name = `bench-raw-${Date.now().toString(36)}`;
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: name });
  for (let start = 0; start < keys; start += 25) {
    const batch = Array.from({ length: Math.min(25, keys - start) }, (_, k) => ({
      PutRequest: { Item: { pk: { S: `k${start + k}` }, v: { N: '0' } } },
    }));
    await client.send(new BatchWriteItemCommand({ RequestItems: { [name]: batch } }));
  }
  return {
    name,
    keys,
    drop: () => client.send(new DeleteTableCommand({ TableName: name })).then(() => undefined),
  };
};

/** The raw conditional UpdateItem's input: item `key`'s counter bumped, if the item exists. */
export const bump = (table: string, key: string) => ({
  TableName: table,
  Key: { pk: { S: key } },
  UpdateExpression: 'SET v = v + :one',
  ConditionExpression: 'attribute_exists(pk)',
  ExpressionAttributeValues: { ':one': { N: '1' } },
});

/** TransactWriteItems calls a cycle makes: claim (3 writes), progress (2), complete (3). */
export const TRANSACTIONS_PER_CYCLE = 3;

/**
 * The most cycles/s could reach as a share of the raw UpdateItem rate if a cycle cost the store
 * no more than its transactions at the raw 3-write transaction's rate, and nothing else: no
 * ready-index read, no HTTP, no CPU in the service process. An upper bound: the cycle's
 * transactions write larger items with more indexes than the raw one, and progress's two writes
 * cost about what three small ones do (`bench/store-cost.ts`).
 */
export const transactionCeiling = (
  update: Pick<RawResult, 'opsPerSec'>,
  transact3: Pick<RawResult, 'opsPerSec'>,
): number => transact3.opsPerSec / TRANSACTIONS_PER_CYCLE / update.opsPerSec;

/** Runs `concurrency` closed-loop clients of `kind` for `seconds` and reports rate and latency. */
export const measureRaw = async (
  client: DynamoDBClient,
  table: { readonly name: string; readonly keys: number },
  kind: RawResult['kind'],
  concurrency: number,
  seconds: number,
  storePid?: number,
): Promise<RawResult> => {
  const latencies: number[] = [];
  let refused = 0;
  const refusedBy = new Map<string, number>();
  // Event keys unique to this measurement: a key written by an earlier one would fail the put's
  // condition, and the transaction with it.
  const run = randomUUID();
  let sequence = 0;
  const pick = () => `k${Math.floor(Math.random() * table.keys)}`;
  const operation = (): Promise<unknown> => {
    if (kind === 'update') return client.send(new UpdateItemCommand(bump(table.name, pick())));
    const first = pick();
    let second = pick();
    while (second === first) second = pick();
    sequence += 1;
    return client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Update: bump(table.name, first) },
          { Update: bump(table.name, second) },
          {
            Put: {
              TableName: table.name,
              Item: { pk: { S: `event-${run}-${sequence}` }, at: { S: new Date().toISOString() } },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  };
  const cpu = cpuSince(storePid);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await operation();
          latencies.push(performance.now() - t0);
        } catch (error) {
          refused += 1;
          const reason = refusalOf(error);
          refusedBy.set(reason, (refusedBy.get(reason) ?? 0) + 1);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const { own, store } = cpu();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    kind,
    concurrency,
    seconds: round(elapsed, 2),
    opsPerSec: round(latencies.length / elapsed),
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    refused,
    refusedBy: Object.fromEntries(refusedBy),
    clientCpuMsPerOp: round(own / Math.max(latencies.length + refused, 1), 3),
    ...(store !== undefined && { storeCpuMsPerOp: round(store / Math.max(latencies.length, 1), 3) }),
  };
};

/** An error's name, with the codes of a cancelled transaction's reasons (`TransactionCanceledException: None,TransactionConflict,None`). */
const refusalOf = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return reasons ? `${error.name}: ${reasons.map((reason) => reason.Code ?? '?').join(',')}` : error.name;
};
