import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoPorts } from '#adapters/dynamo/index';
import {
  type IndexKeys,
  leaseBucketOf,
  leasePartition,
  PREVIOUS_LEASE_BUCKETS,
  PREVIOUS_REVIEW_BUCKETS,
  reviewBucketOf,
  reviewPartition,
  shardOf,
  WorkIndex,
  workKey,
} from '#adapters/dynamo/keys';
import { tableName, workTable } from '#adapters/dynamo/tables';
import { ValidationError } from '#core/errors';
import type { WorkItem } from '#core/model';
import type { Page, WorkQuery } from '#core/ports';
import { compareByUrgency } from '#core/urgency';
import { WORK_STATUSES, WorkStatus } from '#core/work/status';
import { aWorkItem, claimed, unique } from '#test/support/builders';
import { createTestStore, insert, type TestStore } from '#test/support/dynamo';
import { allPages } from '#test/support/paging';

let store: TestStore;

beforeAll(async () => {
  store = await createTestStore('work', { readyShards: 4 });
});

afterAll(async () => {
  await store.cleanup();
});

const minutesAfter = (minutes: number): string => new Date(Date.UTC(2026, 2, 2, 9, minutes)).toISOString();

const ids = (items: readonly WorkItem[]): string[] => items.map((item) => item.id);

/** Moves an item's entry of `index` to `partition`, as an older release stored it. */
const moveEntry = (item: WorkItem, index: IndexKeys, partition: string) =>
  DynamoDBDocumentClient.from(store.client).send(
    new UpdateCommand({
      TableName: tableName(store.tablePrefix, workTable),
      Key: workKey(item.id),
      UpdateExpression: 'SET #partition = :partition',
      ExpressionAttributeNames: { '#partition': index.partitionKey },
      ExpressionAttributeValues: { ':partition': partition },
    }),
  );

const put = (item: WorkItem, expectedVersion: number) =>
  store.ports.uow.commit({ writes: [{ kind: 'work', item, expectedVersion }], events: [] });

describe('readyCandidates', () => {
  it('returns the most urgent ready items of the given teams across all shards, older first on ties', async () => {
    const [alpha, beta, gamma] = [`alpha-${unique()}`, `beta-${unique()}`, `gamma-${unique()}`];
    const ready = [
      ...[900, 120.5, 450, 450, 300, 80, 610, 450].map((urgency, index) =>
        aWorkItem({ team: alpha, urgency, createdAt: minutesAfter(10 - index) }),
      ),
      ...[700, 455, 20].map((urgency, index) =>
        aWorkItem({ team: beta, urgency, createdAt: minutesAfter(index) }),
      ),
    ];
    const others = [
      aWorkItem({ team: gamma, urgency: 5000 }),
      aWorkItem({ team: alpha, urgency: 5000, status: WorkStatus.Blocked }),
      claimed(aWorkItem({ team: alpha, urgency: 5000 }), 'agent-x'),
    ];
    await insert(store.ports, { work: [...ready, ...others] });
    expect(new Set(ready.map((item) => shardOf(item.id, 4))).size).toBeGreaterThan(1);

    const top = await store.ports.work.readyCandidates([alpha, beta], 6);

    expect(ids(top)).toEqual(ids([...ready].sort(compareByUrgency).slice(0, 6)));
  });

  it('returns every ready item of a team when the limit allows, in claim order', async () => {
    const team = `solo-${unique()}`;
    const ready = Array.from({ length: 9 }, (_, index) =>
      aWorkItem({ team, urgency: 100 + (index % 3) * 10, createdAt: minutesAfter(index) }),
    );
    await insert(store.ports, { work: ready });

    const all = await store.ports.work.readyCandidates([team], 50);

    expect(ids(all)).toEqual(ids([...ready].sort(compareByUrgency)));
  });

  it('keeps urgency order across 16 shards when one shard holds most of the top', async () => {
    const sixteen = createDynamoPorts({
      client: store.client,
      tablePrefix: store.tablePrefix,
      readyShards: 16,
      clock: store.clock,
    });
    const team = `crowded-${unique()}`;
    const drafts = Array.from({ length: 400 }, (_, index) =>
      aWorkItem({ team, urgency: 10 + index, createdAt: minutesAfter(index % 50) }),
    );
    // Ten of the most urgent items share one shard: far more than its head of any top below 25.
    const crowded = drafts.filter((item) => shardOf(item.id, 16) === 5).slice(0, 10);
    const rest = drafts.filter((item) => shardOf(item.id, 16) !== 5).slice(0, 40);
    const ready = [
      ...crowded.map((item, index) => ({ ...item, urgency: 900 - index * 3 })),
      ...rest.map((item, index) => ({ ...item, urgency: 901 - index * 7 })),
    ];
    await insert(sixteen, { work: ready });
    const byUrgency = [...ready].sort(compareByUrgency);

    for (const limit of [1, 6, 12, 25, 60]) {
      const top = await sixteen.work.readyCandidates([team], limit);

      expect(ids(top), `top ${limit}`).toEqual(ids(byUrgency.slice(0, limit)));
    }
  });

  it('finds ready items placed under another shard count, down to the previous 4 shards', async () => {
    const team = `moved-${unique()}`;
    const ready = Array.from({ length: 12 }, (_, index) =>
      aWorkItem({ team, urgency: 100 + index * 10, createdAt: minutesAfter(index) }),
    );
    await insert(store.ports, { work: ready });
    expect(ready.some((item) => shardOf(item.id, 4) !== 0)).toBe(true);
    const single = createDynamoPorts({
      client: store.client,
      tablePrefix: store.tablePrefix,
      readyShards: 1,
      clock: store.clock,
    });

    const found = await single.work.readyCandidates([team], 50);

    expect(ids(found)).toEqual(ids([...ready].sort(compareByUrgency)));
  });

  it('reads only its own shards when the deployment never wrote under more (previousReadyShards)', async () => {
    const team = `one-shard-${unique()}`;
    const ready = Array.from({ length: 12 }, (_, index) =>
      aWorkItem({ team, urgency: 100 + index * 10, createdAt: minutesAfter(index) }),
    );
    await insert(store.ports, { work: ready });
    const single = createDynamoPorts({
      client: store.client,
      tablePrefix: store.tablePrefix,
      readyShards: 1,
      previousReadyShards: 1,
      clock: store.clock,
    });

    const found = await single.work.readyCandidates([team], 50);

    // Placed under 4 shards, read as a one-shard deployment: shard 0 alone, in urgency order.
    const inShardZero = ready.filter((item) => shardOf(item.id, 4) === 0);
    expect(inShardZero.length).toBeLessThan(ready.length);
    expect(ids(found)).toEqual(ids([...inShardZero].sort(compareByUrgency)));
  });

  it('returns nothing for no teams, unknown teams or a zero limit', async () => {
    expect(await store.ports.work.readyCandidates([], 5)).toEqual([]);
    expect(await store.ports.work.readyCandidates([`nobody-${unique()}`], 5)).toEqual([]);
    expect(await store.ports.work.readyCandidates(['core'], 0)).toEqual([]);
  });

  it('drops a claimed item from the ready index and takes it back when it is released', async () => {
    const team = `sparse-${unique()}`;
    const item = aWorkItem({ team, urgency: 300 });
    await insert(store.ports, { work: [item] });
    const held = claimed(item, 'agent-s');

    await put(held, item.version);
    const whileHeld = await store.ports.work.readyCandidates([team], 5);
    const released: WorkItem = { ...item, version: held.version + 1 };
    await put(released, held.version);
    const afterRelease = await store.ports.work.readyCandidates([team], 5);

    expect(whileHeld).toEqual([]);
    expect(afterRelease).toEqual([released]);
  });
});

describe('expiredLeases', () => {
  it('returns held items whose lease expired before the given time, earliest first, from every bucket', async () => {
    const scoped = await createTestStore('leases');
    try {
      const expiries = [3, 1, 7, 2, 30, 9].map((minutes) => minutesAfter(minutes));
      const held = expiries.map((leaseExpiresAt, index) =>
        claimed(aWorkItem(), `agent-${index}`, { leaseExpiresAt }),
      );
      const inProgress = {
        ...claimed(aWorkItem(), 'agent-p', { leaseExpiresAt: minutesAfter(4) }),
        status: WorkStatus.InProgress,
      };
      await insert(scoped.ports, { work: [...held, inProgress, aWorkItem()] });

      const expired = await scoped.ports.work.expiredLeases(minutesAfter(8), 10);
      const firstTwo = await scoped.ports.work.expiredLeases(minutesAfter(8), 2);

      expect(expired.map((item) => item.claim?.leaseExpiresAt)).toEqual(
        [1, 2, 3, 4, 7].map((minutes) => minutesAfter(minutes)),
      );
      expect(firstTwo.map((item) => item.claim?.leaseExpiresAt)).toEqual([minutesAfter(1), minutesAfter(2)]);
    } finally {
      await scoped.cleanup();
    }
  });

  it('finds an expired lease still in the bucket of the previous bucket count', async () => {
    const item = claimed(aWorkItem(), 'agent-old', { leaseExpiresAt: '2001-01-01T00:00:00.000Z' });
    await insert(store.ports, { work: [item] });
    await moveEntry(item, WorkIndex.leases, leasePartition(leaseBucketOf(item.id, PREVIOUS_LEASE_BUCKETS)));

    const expired = await store.ports.work.expiredLeases('2001-01-02T00:00:00.000Z', 10);

    expect(ids(expired)).toContain(item.id);
  });

  it('finds an item due for review still in the bucket of the previous bucket count', async () => {
    const item = aWorkItem({ reviewAt: '2001-01-01T00:00:00.000Z' });
    await insert(store.ports, { work: [item] });
    await moveEntry(
      item,
      WorkIndex.review,
      reviewPartition(reviewBucketOf(item.id, PREVIOUS_REVIEW_BUCKETS)),
    );

    const due = await store.ports.work.dueForReview('2001-01-02T00:00:00.000Z', 10);

    expect(ids(due)).toContain(item.id);
  });

  it('forgets a lease once the item is no longer held', async () => {
    const item = claimed(aWorkItem(), 'agent-c', { leaseExpiresAt: '2000-01-01T00:00:00.000Z' });
    await insert(store.ports, { work: [item] });
    await put(
      { ...item, status: WorkStatus.Completed, claim: undefined, version: item.version + 1 },
      item.version,
    );

    const expired = await store.ports.work.expiredLeases('2000-01-02T00:00:00.000Z', 10);

    expect(ids(expired)).not.toContain(item.id);
  });
});

describe('list', () => {
  let listed: TestStore;
  const teams = ['north', 'south'];
  const items: WorkItem[] = [];

  beforeAll(async () => {
    listed = await createTestStore('work-list');
    for (const [t, team] of teams.entries()) {
      for (const [s, status] of [WorkStatus.Ready, WorkStatus.Blocked, WorkStatus.Completed].entries()) {
        for (let n = 0; n < 3; n += 1) {
          items.push(aWorkItem({ team, status, createdAt: minutesAfter(t * 100 + s * 10 + n) }));
        }
      }
      items.push(claimed(aWorkItem({ team, createdAt: minutesAfter(t * 100 + 50) }), 'agent-a'));
      items.push({
        ...claimed(aWorkItem({ team, createdAt: minutesAfter(t * 100 + 51) }), 'agent-a'),
        status: WorkStatus.InProgress,
      });
      items.push(claimed(aWorkItem({ team, createdAt: minutesAfter(t * 100 + 52) }), 'agent-b'));
    }
    await insert(listed.ports, { work: items });
  });

  afterAll(async () => {
    await listed.cleanup();
  });

  const pagesOf = (query: Omit<WorkQuery, 'cursor'>): Promise<Page<WorkItem>[]> =>
    allPages((q: WorkQuery) => listed.ports.work.list(q), query);

  const expected = (predicate: (item: WorkItem) => boolean): string[] =>
    ids(
      items
        .filter(predicate)
        .sort(
          (a, b) =>
            WORK_STATUSES.indexOf(a.status) - WORK_STATUSES.indexOf(b.status) ||
            a.team.localeCompare(b.team) ||
            a.createdAt.localeCompare(b.createdAt),
        ),
    );

  it('lists a team’s items of one status, oldest first, page by page', async () => {
    const pages = await pagesOf({ team: 'north', status: WorkStatus.Ready, limit: 2 });

    expect(pages.map((page) => page.items.length)).toEqual([2, 1]);
    expect(pages.flatMap((page) => ids(page.items))).toEqual(
      expected((item) => item.team === 'north' && item.status === WorkStatus.Ready),
    );
    expect(pages.at(-1)).not.toHaveProperty('nextCursor');
  });

  it('lists one status across teams', async () => {
    const pages = await pagesOf({ status: WorkStatus.Blocked, limit: 4 });

    expect(pages.flatMap((page) => ids(page.items))).toEqual(
      expected((item) => item.status === WorkStatus.Blocked),
    );
  });

  it('lists every item of a team across statuses, each once', async () => {
    const pages = await pagesOf({ team: 'south', limit: 4 });

    expect(pages.flatMap((page) => ids(page.items))).toEqual(expected((item) => item.team === 'south'));
    expect(pages.slice(0, -1).every((page) => page.items.length === 4 && page.nextCursor !== undefined)).toBe(
      true,
    );
  });

  it('lists everything without filters', async () => {
    const pages = await pagesOf({ limit: 7 });

    expect(pages.flatMap((page) => ids(page.items))).toEqual(expected(() => true));
  });

  it('ends without a cursor when the last page is exactly full', async () => {
    const pages = await pagesOf({ team: 'north', status: WorkStatus.Completed, limit: 3 });

    expect(pages).toHaveLength(1);
    expect(pages[0]?.items).toHaveLength(3);
    expect(pages[0]).not.toHaveProperty('nextCursor');
  });

  it('lists the items an agent holds, narrowed by team and status', async () => {
    const held = await pagesOf({ agentId: 'agent-a', limit: 3 });
    const heldInSouth = await listed.ports.work.list({ agentId: 'agent-a', team: 'south', limit: 10 });
    const inProgress = await listed.ports.work.list({
      agentId: 'agent-a',
      status: WorkStatus.InProgress,
      limit: 10,
    });

    expect(held.flatMap((page) => ids(page.items)).sort()).toEqual(
      ids(items.filter((item) => item.claim?.agentId === 'agent-a')).sort(),
    );
    expect(held.map((page) => page.items.length)).toEqual([3, 1]);
    expect(heldInSouth.items.every((item) => item.team === 'south')).toBe(true);
    expect(heldInSouth.items).toHaveLength(2);
    expect(inProgress.items.map((item) => item.status)).toEqual([
      WorkStatus.InProgress,
      WorkStatus.InProgress,
    ]);
  });

  it('refuses a cursor it did not make', async () => {
    await expect(listed.ports.work.list({ limit: 5, cursor: 'bm90LWEtY3Vyc29y' })).rejects.toThrow(
      ValidationError,
    );
    await expect(listed.ports.work.list({ limit: 5, cursor: '%%%' })).rejects.toThrow(ValidationError);
  });

  it('counts a team’s items in every status', async () => {
    const counts = await listed.ports.work.countByStatus('north');

    expect(counts).toEqual({
      blocked: 3,
      ready: 3,
      claimed: 2,
      in_progress: 1,
      completed: 3,
      failed: 0,
      escalated: 0,
      cancelled: 0,
    });
  });
});

describe('list on a shared table', () => {
  it('pages the items of a fresh team in creation order', async () => {
    const team = `paged-${unique()}`;
    const mine = Array.from({ length: 5 }, (_, index) => aWorkItem({ team, createdAt: minutesAfter(index) }));
    await insert(store.ports, { work: [...mine].reverse() });

    const pages = await allPages((q: WorkQuery) => store.ports.work.list(q), {
      team,
      status: WorkStatus.Ready,
      limit: 2,
    });

    expect(pages.flatMap((page) => ids(page.items))).toEqual(ids(mine));
  });
});
