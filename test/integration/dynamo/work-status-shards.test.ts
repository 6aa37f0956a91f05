import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  STATUS_SHARDS,
  statusPartition,
  statusPartitions,
  statusShardOf,
  WorkIndex,
  workKey,
} from '#adapters/dynamo/keys';
import { tableName, workTable } from '#adapters/dynamo/tables';
import type { WorkItem } from '#core/model';
import type { WorkQuery } from '#core/ports';
import { WORK_STATUSES, WorkStatus } from '#core/work/status';
import { aWorkItem } from '#test/support/builders';
import { createTestStore, insert, type TestStore } from '#test/support/dynamo';
import { allPages } from '#test/support/paging';

let store: TestStore;
let doc: DynamoDBDocumentClient;
let work: string;

/** 2 teams x 3 statuses x 12 items, so every status spreads over its shards. */
const items: WorkItem[] = [];
/** Items moved back to the unsharded status partition, as the index stored them before sharding. */
const legacy: WorkItem[] = [];

const minutesAfter = (minutes: number): string => new Date(Date.UTC(2026, 2, 2, 9, minutes)).toISOString();

beforeAll(async () => {
  store = await createTestStore('work-status-shards');
  doc = DynamoDBDocumentClient.from(store.client);
  work = tableName(store.tablePrefix, workTable);
  for (const [t, team] of ['north', 'south'].entries()) {
    for (const [s, status] of [WorkStatus.Ready, WorkStatus.Blocked, WorkStatus.Completed].entries()) {
      for (let n = 0; n < 12; n += 1) {
        items.push(aWorkItem({ team, status, createdAt: minutesAfter(t * 100 + s * 20 + n) }));
      }
    }
  }
  await insert(store.ports, { work: items });
  for (const item of items.filter((_, index) => index % 4 === 1)) {
    legacy.push(item);
    await doc.send(
      new UpdateCommand({
        TableName: work,
        Key: workKey(item.id),
        UpdateExpression: 'SET #status = :status',
        ExpressionAttributeNames: { '#status': WorkIndex.byStatus.partitionKey },
        ExpressionAttributeValues: { ':status': statusPartition(item.status) },
      }),
    );
  }
});

afterAll(async () => {
  await store.cleanup();
});

const expected = (predicate: (item: WorkItem) => boolean): string[] =>
  items
    .filter(predicate)
    .sort(
      (a, b) =>
        WORK_STATUSES.indexOf(a.status) - WORK_STATUSES.indexOf(b.status) ||
        a.team.localeCompare(b.team) ||
        a.createdAt.localeCompare(b.createdAt),
    )
    .map((item) => item.id);

const listed = async (query: Omit<WorkQuery, 'cursor'>): Promise<{ ids: string[]; sizes: number[] }> => {
  const pages = await allPages((q: WorkQuery) => store.ports.work.list(q), query);
  return {
    ids: pages.flatMap((page) => page.items.map((item) => item.id)),
    sizes: pages.map((page) => page.items.length),
  };
};

describe('the status index, sharded', () => {
  it('writes an item to the shard of its id, over several shards of a status', async () => {
    const sizes = await Promise.all(
      statusPartitions(WorkStatus.Ready).map(async (partition) => {
        const answer = await doc.send(
          new QueryCommand({
            TableName: work,
            IndexName: WorkIndex.byStatus.indexName,
            KeyConditionExpression: '#p = :p',
            ExpressionAttributeNames: { '#p': WorkIndex.byStatus.partitionKey },
            ExpressionAttributeValues: { ':p': partition },
            Select: 'COUNT',
          }),
        );
        return answer.Count ?? 0;
      }),
    );

    expect(sizes).toHaveLength(STATUS_SHARDS + 1);
    expect(sizes.at(-1)).toBe(legacy.filter((item) => item.status === WorkStatus.Ready).length);
    expect(sizes.slice(0, STATUS_SHARDS).filter((size) => size > 0).length).toBeGreaterThan(3);
    const sharded = items.filter((item) => item.status === WorkStatus.Ready && !legacy.includes(item));
    for (const [shard, size] of sizes.slice(0, STATUS_SHARDS).entries()) {
      expect(size).toBe(sharded.filter((item) => statusShardOf(item.id) === shard).length);
    }
  });

  it('lists a team’s items of one status in order across shards, page by page with bounded pages', async () => {
    const { ids, sizes } = await listed({ team: 'south', status: WorkStatus.Blocked, limit: 5 });

    expect(ids).toEqual(expected((item) => item.team === 'south' && item.status === WorkStatus.Blocked));
    expect(sizes).toEqual([5, 5, 2]);
  });

  it('lists one status across teams, and everything across statuses, each item once', async () => {
    const ready = await listed({ status: WorkStatus.Ready, limit: 7 });
    const all = await listed({ limit: 9 });
    const north = await listed({ team: 'north', limit: 4 });

    expect(ready.ids).toEqual(expected((item) => item.status === WorkStatus.Ready));
    expect(all.ids).toEqual(expected(() => true));
    expect(all.sizes.every((size) => size <= 9)).toBe(true);
    expect(north.ids).toEqual(expected((item) => item.team === 'north'));
  });

  it('counts a team’s items over every shard and the unsharded partition', async () => {
    const counts = await store.ports.work.countByStatus('north');

    expect(counts[WorkStatus.Ready]).toBe(12);
    expect(counts[WorkStatus.Blocked]).toBe(12);
    expect(counts[WorkStatus.Completed]).toBe(12);
    expect(counts[WorkStatus.Claimed]).toBe(0);
  });

  it('counts every team at once as it counts each team alone, over every shard', async () => {
    const all = await store.ports.work.countAllByStatus();
    const teams = Object.keys(all);
    const alone = await Promise.all(teams.map((team) => store.ports.work.countByStatus(team)));

    expect(teams).toContain('north');
    expect(all.north?.[WorkStatus.Ready]).toBe(12);
    expect(Object.fromEntries(teams.map((team, index) => [team, alone[index]]))).toEqual(all);
  });

  it('moves an item written before sharding into a shard when its status changes', async () => {
    const old = legacy.find((item) => item.status === WorkStatus.Ready && item.team === 'north') as WorkItem;
    const moved = { ...old, status: WorkStatus.Blocked, version: old.version + 1 };
    await store.ports.uow.commit({
      writes: [{ kind: 'work', item: moved, expectedVersion: old.version }],
      events: [],
    });
    const counts = await store.ports.work.countByStatus('north');
    const blocked = await listed({ team: 'north', status: WorkStatus.Blocked, limit: 50 });

    expect(counts[WorkStatus.Ready]).toBe(11);
    expect(counts[WorkStatus.Blocked]).toBe(13);
    expect(blocked.ids).toContain(old.id);
  });
});
