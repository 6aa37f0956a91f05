/**
 * The store reads and writes the sweeper and escalations rely on: the review index (never a
 * scan), and escalation records with their conditional writes and consistent history.
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteTables, ensureTables } from '#adapters/dynamo/index';
import { tableName, workTable } from '#adapters/dynamo/tables';
import type { Escalation } from '#core/escalations/escalation';
import { WriteConflict } from '#core/ports';
import { aClaim, aWorkItem, unique } from '#test/support/builders';
import { createTestStore, insert, type TestStore } from '#test/support/dynamo';

let store: TestStore;

beforeAll(async () => {
  store = await createTestStore('sweep-indexes');
});

afterAll(async () => {
  await store.cleanup();
});

const anEscalation = (workId: string, overrides: Partial<Escalation> = {}): Escalation => ({
  id: `${workId}~deadline~1`,
  workId,
  team: 'core',
  kind: 'deadline',
  number: 1,
  status: 'open',
  openedAt: '2026-03-02T09:00:00.000Z',
  details: { deadline: '2026-03-02T08:00:00.000Z' },
  version: 1,
  ...overrides,
});

describe('dueForReview', () => {
  it('returns ready and blocked items whose review is due, earliest first, and nothing else', async () => {
    // Arrange
    const due = (at: string, status: 'ready' | 'blocked' = 'ready') =>
      aWorkItem({ id: `wi_${unique()}`, status, reviewAt: at });
    const first = due('2026-03-02T08:00:00.000Z', 'blocked');
    const second = due('2026-03-02T08:30:00.000Z');
    const later = due('2026-03-02T10:00:00.000Z');
    const held = aWorkItem({
      status: 'claimed',
      claim: aClaim('agent-x'),
      reviewAt: '2026-03-02T07:00:00.000Z',
    });
    const never = aWorkItem({ id: `wi_${unique()}` });
    await insert(store.ports, { work: [second, later, held, first, never] });
    // Act
    const found = await store.ports.work.dueForReview('2026-03-02T09:00:00.000Z', 10);
    const one = await store.ports.work.dueForReview('2026-03-02T09:00:00.000Z', 1);
    // Assert
    expect(found.map((i) => i.id)).toEqual([first.id, second.id]);
    expect(one.map((i) => i.id)).toEqual([first.id]);
  });
});

describe('ensureTables', () => {
  it('adds the review index to a Work table an earlier version made without it', async () => {
    // Arrange: a kept data directory from before the index existed
    const prefix = `t-upgrade-${unique()}`;
    const before = { ...workTable, indexes: workTable.indexes.filter((i) => i.indexName !== 'review') };
    await ensureTables(store.client, prefix, [before]);
    try {
      // Act
      await ensureTables(store.client, prefix, [workTable]);
      // Assert
      const described = await store.client.send(
        new DescribeTableCommand({ TableName: tableName(prefix, workTable) }),
      );
      expect(
        described.Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.IndexStatus]).sort(),
      ).toEqual(workTable.indexes.map((i) => [i.indexName, 'ACTIVE']).sort());
    } finally {
      await deleteTables(store.client, prefix, [workTable]);
    }
  });
});

describe('escalation records', () => {
  it('are written once: a second open of the same number reports the stored one', async () => {
    const escalation = anEscalation(`wi_${unique()}`);
    await store.ports.uow.commit({
      writes: [{ kind: 'escalation', escalation, expectedVersion: null }],
      events: [],
    });

    const again = store.ports.uow.commit({
      writes: [{ kind: 'escalation', escalation: { ...escalation, details: {} }, expectedVersion: null }],
      events: [],
    });

    await expect(again).rejects.toThrow(WriteConflict);
    await expect(again).rejects.toMatchObject({
      failed: [{ kind: 'escalation', id: escalation.id, current: escalation }],
    });
    expect(await store.ports.escalations.get(escalation.id)).toEqual(escalation);
  });

  it('change only over the version read, and a work item’s history reads back consistently', async () => {
    const workId = `wi_${unique()}`;
    const open = anEscalation(workId);
    const other = anEscalation(workId, { id: `${workId}~retries_exhausted~1`, kind: 'retries_exhausted' });
    await store.ports.uow.commit({
      writes: [
        { kind: 'escalation', escalation: open, expectedVersion: null },
        { kind: 'escalation', escalation: other, expectedVersion: null },
      ],
      events: [],
    });
    const resolved = {
      ...open,
      status: 'resolved' as const,
      resolvedAt: '2026-03-02T09:05:00.000Z',
      version: 2,
    };
    await store.ports.uow.commit({
      writes: [{ kind: 'escalation', escalation: resolved, expectedVersion: 1 }],
      events: [],
    });

    await expect(
      store.ports.uow.commit({
        writes: [{ kind: 'escalation', escalation: resolved, expectedVersion: 1 }],
        events: [],
      }),
    ).rejects.toThrow(WriteConflict);
    expect(await store.ports.escalations.ofWork(workId)).toEqual([resolved, other]);
    expect(await store.ports.escalations.get('no-such~deadline~1')).toBeUndefined();
    expect(await store.ports.escalations.get('garbled')).toBeUndefined();
  });
});
