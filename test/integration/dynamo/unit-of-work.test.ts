import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Change, WriteConflict } from '#core/ports';
import { Role } from '#core/roles';
import { anAgent, anEvent, aWorkItem, claimed, unique } from '#test/support/builders';
import { createTestStore, insert, type TestStore } from '#test/support/dynamo';

let store: TestStore;

beforeAll(async () => {
  store = await createTestStore('uow');
});

afterAll(async () => {
  await store.cleanup();
});

/** The WriteConflict a commit throws (fails the test when it resolves or throws something else). */
const conflictOf = async (change: Change): Promise<WriteConflict> => {
  const error = await store.ports.uow.commit(change).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WriteConflict);
  return error as WriteConflict;
};

const aToken = (overrides: { id?: string } = {}) => ({
  id: overrides.id ?? `tok_${unique()}`,
  secretHash: 'hash',
  role: Role.Viewer,
  createdAt: '2026-03-02T09:00:00.000Z',
});

describe('conditional puts', () => {
  it('refuses a new work item whose id exists and reports the stored one', async () => {
    const item = aWorkItem();
    await insert(store.ports, { work: [item] });

    const conflict = await conflictOf({
      writes: [{ kind: 'work', item: { ...item, title: 'other' }, expectedVersion: null }],
      events: [],
    });

    expect(conflict.failed).toEqual([{ kind: 'work', id: item.id, current: item }]);
  });

  it('refuses a put at a stale version and reports what is stored, writing nothing of the change', async () => {
    const item = aWorkItem();
    const agent = anAgent();
    await insert(store.ports, { work: [item], agents: [agent] });
    const winner = claimed(item, 'agent-a');
    await store.ports.uow.commit({
      writes: [{ kind: 'work', item: winner, expectedVersion: 1 }],
      events: [],
    });
    const event = anEvent({ entityId: item.id, seq: 2 });

    const conflict = await conflictOf({
      writes: [
        { kind: 'work', item: claimed(item, 'agent-b'), expectedVersion: 1 },
        { kind: 'agentClaims', agentId: agent.id, delta: 1 },
      ],
      events: [event],
    });

    expect(conflict.failed).toEqual([{ kind: 'work', id: item.id, current: winner }]);
    expect(await store.ports.agents.get(agent.id)).toStrictEqual(agent);
    expect((await store.ports.audit.list({ entityId: item.id, limit: 5 })).items).toEqual([]);
  });

  it('applies a put at the current version', async () => {
    const item = aWorkItem();
    await insert(store.ports, { work: [item] });
    const next = { ...item, title: 'renamed', version: 2 };

    await store.ports.uow.commit({ writes: [{ kind: 'work', item: next, expectedVersion: 1 }], events: [] });

    expect(await store.ports.work.get(item.id)).toStrictEqual(next);
  });

  it('refuses an agent put at a stale version and reports the stored agent', async () => {
    const agent = anAgent();
    await insert(store.ports, { agents: [agent] });

    const conflict = await conflictOf({
      writes: [{ kind: 'agent', agent: { ...agent, capacity: 5, version: 3 }, expectedVersion: 2 }],
      events: [],
    });

    expect(conflict.failed).toEqual([{ kind: 'agent', id: agent.id, current: agent }]);
  });

  it('reports no current record when the expected one does not exist', async () => {
    const item = aWorkItem({ version: 5 });

    const conflict = await conflictOf({ writes: [{ kind: 'work', item, expectedVersion: 4 }], events: [] });

    expect(conflict.failed).toEqual([{ kind: 'work', id: item.id, current: undefined }]);
  });

  it('refuses a second event with the same entity and sequence', async () => {
    const first = anEvent({ seq: 3 });
    await store.ports.uow.commit({ writes: [], events: [first] });
    const again = anEvent({ entityId: first.entityId, seq: 3 });

    const conflict = await conflictOf({ writes: [], events: [again] });

    expect(conflict.failed).toEqual([{ kind: 'event', id: again.id }]);
  });

  it('names every failed write of a change, by its own kind', async () => {
    const item = aWorkItem();
    const token = aToken();
    await insert(store.ports, { work: [item] });
    await store.ports.uow.commit({ writes: [{ kind: 'tokenPut', token }], events: [] });

    const conflict = await conflictOf({
      writes: [
        { kind: 'work', item, expectedVersion: null },
        { kind: 'tokenPut', token },
      ],
      events: [],
    });

    expect(conflict.failed.map((failed) => failed.kind).sort()).toEqual(['tokenPut', 'work']);
  });
});

describe('tokens and settings', () => {
  it('stores a token once and deletes it, deleting a missing one being a no-op', async () => {
    const token = aToken();
    await store.ports.uow.commit({ writes: [{ kind: 'tokenPut', token }], events: [] });

    const conflict = await conflictOf({ writes: [{ kind: 'tokenPut', token }], events: [] });
    await store.ports.uow.commit({ writes: [{ kind: 'tokenDelete', tokenId: token.id }], events: [] });
    await store.ports.uow.commit({ writes: [{ kind: 'tokenDelete', tokenId: token.id }], events: [] });

    expect(conflict.failed).toEqual([{ kind: 'tokenPut', id: token.id }]);
    expect(await store.ports.tokens.get(token.id)).toBeUndefined();
  });

  it('replaces settings only at their current version and reports the stored ones', async () => {
    const scoped = await createTestStore('uow-settings');
    try {
      await scoped.ports.uow.commit({
        writes: [{ kind: 'settings', settings: { leaseSeconds: 60 }, version: 1, expectedVersion: null }],
        events: [],
      });
      await scoped.ports.uow.commit({
        writes: [{ kind: 'settings', settings: { leaseSeconds: 90 }, version: 2, expectedVersion: 1 }],
        events: [],
      });

      const error = await scoped.ports.uow
        .commit({
          writes: [{ kind: 'settings', settings: { leaseSeconds: 5 }, version: 2, expectedVersion: 1 }],
          events: [],
        })
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(WriteConflict);
      expect((error as WriteConflict).failed).toEqual([
        { kind: 'settings', current: { settings: { leaseSeconds: 90 }, version: 2 } },
      ]);
      expect(await scoped.ports.settings.get()).toEqual({ settings: { leaseSeconds: 90 }, version: 2 });
    } finally {
      await scoped.cleanup();
    }
  });
});

describe('claim counting', () => {
  it('adds a claim, bumps the version, records the heartbeat and adds stats', async () => {
    const agent = anAgent({ capacity: 2 });
    await insert(store.ports, { agents: [agent] });

    await store.ports.uow.commit({
      writes: [
        {
          kind: 'agentClaims',
          agentId: agent.id,
          delta: 1,
          heartbeatAt: '2026-03-02T09:10:00.000Z',
          stats: { claims: 1, speedRatioSum: 1.5 },
        },
      ],
      events: [],
    });

    expect(await store.ports.agents.get(agent.id)).toStrictEqual({
      ...agent,
      activeClaims: 1,
      version: 2,
      lastHeartbeatAt: '2026-03-02T09:10:00.000Z',
      stats: { ...agent.stats, claims: 1, speedRatioSum: 1.5 },
    });
  });

  it('refuses a claim beyond capacity and reports the stored agent', async () => {
    const agent = anAgent({ capacity: 1, activeClaims: 1 });
    await insert(store.ports, { agents: [agent] });

    const conflict = await conflictOf({
      writes: [{ kind: 'agentClaims', agentId: agent.id, delta: 1 }],
      events: [],
    });

    expect(conflict.failed).toEqual([{ kind: 'agentClaims', id: agent.id, current: agent }]);
  });

  it('honours a capacity raised by a later agent put', async () => {
    const agent = anAgent({ capacity: 1, activeClaims: 1 });
    await insert(store.ports, { agents: [agent] });
    await store.ports.uow.commit({
      writes: [{ kind: 'agent', agent: { ...agent, capacity: 2, version: 2 }, expectedVersion: 1 }],
      events: [],
    });

    await store.ports.uow.commit({
      writes: [{ kind: 'agentClaims', agentId: agent.id, delta: 1 }],
      events: [],
    });

    expect((await store.ports.agents.get(agent.id))?.activeClaims).toBe(2);
  });

  it('refuses a claim for a retiring agent even with capacity left', async () => {
    const agent = anAgent({
      capacity: 3,
      retirement: { mode: 'drain', requestedAt: '2026-03-02T09:00:00.000Z' },
    });
    await insert(store.ports, { agents: [agent] });

    const conflict = await conflictOf({
      writes: [{ kind: 'agentClaims', agentId: agent.id, delta: 1 }],
      events: [],
    });

    expect(conflict.failed).toEqual([{ kind: 'agentClaims', id: agent.id, current: agent }]);
  });

  it('removes claims, also from a retiring agent, but never below zero', async () => {
    const agent = anAgent({
      capacity: 2,
      activeClaims: 1,
      retirement: { mode: 'drain', requestedAt: '2026-03-02T09:00:00.000Z' },
    });
    await insert(store.ports, { agents: [agent] });

    await store.ports.uow.commit({
      writes: [{ kind: 'agentClaims', agentId: agent.id, delta: -1, stats: { completed: 1 } }],
      events: [],
    });
    const conflict = await conflictOf({
      writes: [{ kind: 'agentClaims', agentId: agent.id, delta: -1 }],
      events: [],
    });

    const stored = await store.ports.agents.get(agent.id);
    expect(stored?.activeClaims).toBe(0);
    expect(stored?.stats.completed).toBe(1);
    expect(conflict.failed).toEqual([{ kind: 'agentClaims', id: agent.id, current: stored }]);
  });

  it('removes a claim unless the agent is retiring when asked, reporting the retiring agent', async () => {
    const free = anAgent({ capacity: 2, activeClaims: 1 });
    const retiring = anAgent({
      capacity: 2,
      activeClaims: 1,
      retirement: { mode: 'drain', requestedAt: '2026-03-02T09:00:00.000Z' },
    });
    await insert(store.ports, { agents: [free, retiring] });

    await store.ports.uow.commit({
      writes: [{ kind: 'agentClaims', agentId: free.id, delta: -1, unlessRetiring: true }],
      events: [],
    });
    const conflict = await conflictOf({
      writes: [{ kind: 'agentClaims', agentId: retiring.id, delta: -1, unlessRetiring: true }],
      events: [],
    });

    expect((await store.ports.agents.get(free.id))?.activeClaims).toBe(0);
    expect(conflict.failed).toEqual([{ kind: 'agentClaims', id: retiring.id, current: retiring }]);
  });

  it('refuses to count claims of an agent that does not exist', async () => {
    const conflict = await conflictOf({
      writes: [{ kind: 'agentClaims', agentId: 'agent-none', delta: 1 }],
      events: [],
    });

    expect(conflict.failed).toEqual([{ kind: 'agentClaims', id: 'agent-none', current: undefined }]);
  });
});

describe('limits', () => {
  it('rejects a change of more than 100 writes before sending it', async () => {
    const items = Array.from({ length: 100 }, () => aWorkItem());
    const change: Change = {
      writes: items.map((item) => ({ kind: 'work', item, expectedVersion: null })),
      events: [anEvent()],
    };

    await expect(store.ports.uow.commit(change)).rejects.toThrow(/at most 100/);
    expect(await store.ports.work.getMany(items.map((item) => item.id))).toEqual([]);
  });

  it('commits a change of exactly 100 writes', async () => {
    const items = Array.from({ length: 99 }, () => aWorkItem());

    await store.ports.uow.commit({
      writes: items.map((item) => ({ kind: 'work', item, expectedVersion: null })),
      events: [anEvent()],
    });

    expect(await store.ports.work.getMany(items.map((item) => item.id))).toHaveLength(99);
  });

  it('does nothing for an empty change', async () => {
    await expect(store.ports.uow.commit({ writes: [], events: [] })).resolves.toBeUndefined();
  });
});

describe('records written twice', () => {
  it('rejects a change that writes one record twice, before sending it', async () => {
    const agent = anAgent({ capacity: 3 });
    await insert(store.ports, { agents: [agent] });

    await expect(
      store.ports.uow.commit({
        writes: [
          { kind: 'agentClaims', agentId: agent.id, delta: 1 },
          { kind: 'agentClaims', agentId: agent.id, delta: 1 },
        ],
        events: [],
      }),
    ).rejects.toThrow(/twice/);
    expect((await store.ports.agents.get(agent.id))?.activeClaims).toBe(0);
  });

  it('rejects two events of one entity with one sequence number in a change', async () => {
    const entityId = `wi_${unique()}`;

    await expect(
      store.ports.uow.commit({
        writes: [],
        events: [anEvent({ entityId, seq: 4 }), anEvent({ entityId, seq: 4 })],
      }),
    ).rejects.toThrow(/twice/);
  });
});
