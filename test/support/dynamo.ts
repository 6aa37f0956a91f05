/**
 * Per-file DynamoDB fixture for integration tests: its own tables (a unique prefix) in the run's
 * DynamoDB Local, the adapter's ports on them, and cleanup. Files never share tables, so they
 * can run in parallel.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import {
  createDynamoClient,
  createDynamoPorts,
  type DynamoPorts,
  deleteTables,
  ensureTables,
} from '#adapters/dynamo/index';
import type { Agent, WorkItem } from '#core/model';
import type { Write } from '#core/ports';
import { type FixedClock, fixedClock } from './clock';

/** A test file's own tables and the ports on them. */
export interface TestStore {
  readonly client: DynamoDBClient;
  readonly tablePrefix: string;
  readonly readyShards: number;
  readonly clock: FixedClock;
  readonly ports: DynamoPorts;
  /** Deletes the tables (not those of another store, `tablePrefix`) and closes the client. */
  cleanup(): Promise<void>;
}

/** Options of {@link createTestStore}. */
export interface TestStoreOptions {
  /** @default 4 */
  readonly readyShards?: number;
  /** @default a fixed clock at 2026-03-02T09:00:00Z */
  readonly clock?: FixedClock;
  /** Seconds the ports keep the work items they wrote or read. @default 0 (none kept) */
  readonly workCacheSeconds?: number;
  /** Use the tables of this prefix (another store's, already created) instead of new ones. */
  readonly tablePrefix?: string;
}

/**
 * Creates fresh tables under a unique prefix (`name` makes it readable in DynamoDB Local) and the
 * adapter's ports on them. Call it in `beforeAll` and `cleanup()` in `afterAll`.
 */
export const createTestStore = async (name: string, options: TestStoreOptions = {}): Promise<TestStore> => {
  const client = createDynamoClient({ region: 'us-east-1', endpoint: inject('dynamoEndpoint') });
  const tablePrefix = options.tablePrefix ?? `t-${name}-${randomUUID().slice(0, 8)}`;
  const readyShards = options.readyShards ?? 4;
  const clock = options.clock ?? fixedClock();
  if (options.tablePrefix === undefined) await ensureTables(client, tablePrefix);
  return {
    client,
    tablePrefix,
    readyShards,
    clock,
    ports: createDynamoPorts({
      client,
      tablePrefix,
      readyShards,
      clock,
      workCacheSeconds: options.workCacheSeconds ?? 0,
    }),
    cleanup: async () => {
      if (options.tablePrefix === undefined) await deleteTables(client, tablePrefix);
      client.destroy();
    },
  };
};

/** Stores new records (each must not exist yet) through the unit of work, up to 100 per transaction. */
export const insert = async (
  ports: Pick<DynamoPorts, 'uow'>,
  records: { readonly work?: readonly WorkItem[]; readonly agents?: readonly Agent[] },
): Promise<void> => {
  const writes: Write[] = [
    ...(records.work ?? []).map((item): Write => ({ kind: 'work', item, expectedVersion: null })),
    ...(records.agents ?? []).map((agent): Write => ({ kind: 'agent', agent, expectedVersion: null })),
  ];
  for (let start = 0; start < writes.length; start += 100) {
    await ports.uow.commit({ writes: writes.slice(start, start + 100), events: [] });
  }
};
