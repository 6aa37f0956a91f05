import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Action } from '#core/events';
import { EntityType, type WorkItem } from '#core/model';
import { WriteConflict } from '#core/ports';
import { ActorType } from '#core/roles';
import { WorkStatus } from '#core/work/status';
import { anAgent, anEvent, aWorkItem, claimed } from '#test/support/builders';
import { createTestStore, insert, type TestStore } from '#test/support/dynamo';

let store: TestStore;

beforeAll(async () => {
  store = await createTestStore('race');
});

afterAll(async () => {
  await store.cleanup();
});

describe('concurrent claims', () => {
  it('lets exactly one of 30 simultaneous claims of one item win, and shows every loser the winner', async () => {
    const item = aWorkItem();
    const agents = Array.from({ length: 30 }, () => anAgent());
    await insert(store.ports, { work: [item], agents });

    const outcomes = await Promise.allSettled(
      agents.map((agent) =>
        store.ports.uow.commit({
          writes: [
            { kind: 'work', item: claimed(item, agent.id), expectedVersion: item.version },
            { kind: 'agentClaims', agentId: agent.id, delta: 1 },
          ],
          events: [
            anEvent({
              action: Action.WorkClaimed,
              entityType: EntityType.Work,
              entityId: item.id,
              seq: item.version + 1,
              actor: { type: ActorType.Agent, id: agent.id },
              agentId: agent.id,
            }),
          ],
        }),
      ),
    );

    const winners = agents.filter((_, index) => outcomes[index]?.status === 'fulfilled');
    const losses = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    expect(winners).toHaveLength(1);
    const winner = winners[0]?.id;
    expect(losses).toHaveLength(29);
    for (const loss of losses) {
      expect(loss).toBeInstanceOf(WriteConflict);
      const workFailure = (loss as WriteConflict).failed.find((failed) => failed.kind === 'work');
      expect((workFailure?.current as WorkItem | undefined)?.claim?.agentId).toBe(winner);
    }
    const stored = await store.ports.work.get(item.id);
    expect(stored?.status).toBe(WorkStatus.Claimed);
    expect(stored?.claim?.agentId).toBe(winner);
    const counts = await Promise.all(
      agents.map(async (agent) => (await store.ports.agents.get(agent.id))?.activeClaims),
    );
    expect(counts.filter((count) => count === 1)).toHaveLength(1);
    const events = await store.ports.audit.list({ entityId: item.id, limit: 50 });
    expect(events.items.map((event) => event.agentId)).toEqual([winner]);
  });

  it('never counts more claims than an agent’s capacity under simultaneous claims', async () => {
    const agent = anAgent({ capacity: 3 });
    await insert(store.ports, { agents: [agent] });

    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        store.ports.uow.commit({
          writes: [{ kind: 'agentClaims', agentId: agent.id, delta: 1 }],
          events: [],
        }),
      ),
    );

    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(3);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(WriteConflict);
    }
    const stored = await store.ports.agents.get(agent.id);
    expect(stored?.activeClaims).toBe(3);
    expect(stored?.version).toBe(agent.version + 3);
  });

  it('keeps one holder per item when many agents race over a few items', async () => {
    const items = Array.from({ length: 5 }, () => aWorkItem());
    const agents = Array.from({ length: 20 }, () => anAgent({ capacity: 5 }));
    await insert(store.ports, { work: items, agents });

    await Promise.allSettled(
      agents.flatMap((agent) =>
        items.map((item) =>
          store.ports.uow.commit({
            writes: [
              { kind: 'work', item: claimed(item, agent.id), expectedVersion: item.version },
              { kind: 'agentClaims', agentId: agent.id, delta: 1 },
            ],
            events: [],
          }),
        ),
      ),
    );

    const stored = await store.ports.work.getMany(items.map((item) => item.id));
    const holders = stored.map((item) => item.claim?.agentId);
    const counted = await Promise.all(
      agents.map(async (agent) => (await store.ports.agents.get(agent.id))?.activeClaims ?? 0),
    );
    expect(holders.every((holder) => holder !== undefined)).toBe(true);
    expect(counted.reduce((sum, count) => sum + count, 0)).toBe(items.length);
    for (const agent of agents) {
      const held = holders.filter((holder) => holder === agent.id).length;
      expect((await store.ports.agents.get(agent.id))?.activeClaims).toBe(held);
    }
  });
});
