import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Action } from '#core/events';
import { EntityType } from '#core/model';
import { ActorType, Role } from '#core/roles';
import { Priority, WorkStatus } from '#core/work/status';
import { aClaim, anAgent, anEvent, aWorkItem } from '#test/support/builders';
import { createTestStore, insert, type TestStore } from '#test/support/dynamo';

let store: TestStore;

beforeAll(async () => {
  store = await createTestStore('records');
});

afterAll(async () => {
  await store.cleanup();
});

describe('record mapping', () => {
  it('returns a work item with every field exactly as it was stored, and no storage attributes', async () => {
    const item = aWorkItem({
      description: 'all the optional fields',
      priority: Priority.Critical,
      deadline: '2026-03-03T00:00:00.000Z',
      requiredCapabilities: ['ts', 'sql'],
      dependsOn: ['wi_a'],
      remainingDeps: [],
      dependents: ['wi_b'],
      estimateMinutes: 45,
      status: WorkStatus.InProgress,
      progress: 40,
      urgency: 812.37,
      claim: aClaim('agent-x'),
      lastNote: 'half way',
      result: { nested: { ok: true, list: [1, 'two'] } },
      metadata: { legacy: { column: 'x' } },
      version: 4,
    });

    await insert(store.ports, { work: [item] });

    expect(await store.ports.work.get(item.id)).toStrictEqual(item);
  });

  it('returns a minimal work item without inventing optional fields', async () => {
    const item = aWorkItem({ status: WorkStatus.Blocked, remainingDeps: ['wi_x'], readyAt: undefined });

    await insert(store.ports, { work: [item] });

    const read = await store.ports.work.get(item.id);
    expect(read).toStrictEqual(JSON.parse(JSON.stringify(item)));
    expect(read).not.toHaveProperty('readyAt');
  });

  it('returns an agent as it was stored, without the derived free capacity', async () => {
    const agent = anAgent({
      capabilities: ['ts'],
      capacity: 3,
      activeClaims: 2,
      metadata: { model: 'x' },
      reportedStatus: 'active',
      retirement: { mode: 'drain', requestedAt: '2026-03-02T09:01:00.000Z' },
      tokenId: 'tok_1',
    });

    await insert(store.ports, { agents: [agent] });

    expect(await store.ports.agents.get(agent.id)).toStrictEqual(agent);
  });

  it('returns undefined for records that do not exist', async () => {
    expect(await store.ports.work.get('wi_missing')).toBeUndefined();
    expect(await store.ports.agents.get('agent-missing')).toBeUndefined();
    expect(await store.ports.tokens.get('tok_missing')).toBeUndefined();
  });

  it('returns an audit event as it was stored', async () => {
    const event = anEvent({
      action: Action.WorkClaimed,
      entityType: EntityType.Work,
      seq: 2,
      actor: { type: ActorType.Agent, id: 'agent-rt' },
      agentId: 'agent-rt',
      team: 'core',
      before: { status: 'ready' },
      after: { status: 'claimed' },
      requestId: 'req-1',
    });

    await store.ports.uow.commit({ writes: [], events: [event] });

    const page = await store.ports.audit.list({ entityId: event.entityId, limit: 10 });
    expect(page.items).toStrictEqual([event]);
  });

  it('returns a token record and settings as they were stored', async () => {
    const token = {
      id: `tok_${Date.now()}`,
      secretHash: 'hash',
      role: Role.Registration,
      team: 'core',
      label: 'ci',
      createdAt: '2026-03-02T09:00:00.000Z',
    };
    const settings = { leaseSeconds: 120, urgencyWeights: { priority: { critical: 500 } } };

    await store.ports.uow.commit({
      writes: [
        { kind: 'tokenPut', token },
        { kind: 'settings', settings, version: 1, expectedVersion: null },
      ],
      events: [],
    });

    expect(await store.ports.tokens.get(token.id)).toStrictEqual(token);
    expect(await store.ports.settings.get()).toStrictEqual({ settings, version: 1 });
  });

  it('returns many items at once, leaving out the missing ones', async () => {
    const items = Array.from({ length: 3 }, () => aWorkItem());
    await insert(store.ports, { work: items });

    const read = await store.ports.work.getMany([
      ...items.map((item) => item.id),
      'wi_missing',
      items[0]?.id ?? '',
    ]);

    expect(read.map((item) => item.id).sort()).toEqual(items.map((item) => item.id).sort());
  });

  it('reads more than one BatchGet of items', async () => {
    const items = Array.from({ length: 130 }, () => aWorkItem());
    await insert(store.ports, { work: items });

    const read = await store.ports.work.getMany(items.map((item) => item.id));

    expect(read).toHaveLength(130);
  });
});
