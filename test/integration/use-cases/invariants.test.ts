/**
 * Invariants against DynamoDB Local: each is broken on purpose in the store (or by time passing
 * without a sweep), then seen by the check, listed with an example, and repaired with an audit
 * event; the next check finds it whole again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInvariantStore } from '#adapters/dynamo/index';
import { claimWork } from '#app/use-cases/claim-work';
import { createWork } from '#app/use-cases/create-work';
import {
  checkInvariants,
  type InvariantDeps,
  listInvariants,
  repairInvariant,
} from '#app/use-cases/invariants';
import { NotFoundError } from '#core/errors';
import { escalationId } from '#core/escalations/escalation';
import { LEASE_GRACE_SECONDS } from '#core/invariants';
import { DEFAULT_SETTINGS } from '#core/settings';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { asAdmin, asAgent, aTeam, registerAgents, type UseCaseDeps, useCaseDeps } from './fixture';

let store: TestStore;
let deps: UseCaseDeps & InvariantDeps;

beforeEach(async () => {
  store = await createTestStore('uc-invariants');
  deps = { ...useCaseDeps(store), invariants: createInvariantStore(store.client, store.tablePrefix) };
});

afterEach(async () => {
  await store.cleanup();
});

const viewOf = async (name: string) => {
  const view = (await listInvariants(deps)).items.find((item) => item.name === name);
  if (!view) throw new Error(`no invariant ${name}`);
  return view;
};

const auditOf = async (entityId: string) =>
  (await deps.audit.list({ entityId, limit: 50 })).items.map((event) => event.action);

describe('invariants', () => {
  it('lists every invariant as unchecked before the first pass, and ok after a pass over a sound store', async () => {
    // Arrange
    const team = aTeam();
    await registerAgents(deps, 2, { team });
    await createWork(deps, asAdmin(), { type: 'task', title: 'Sound', team });
    const before = (await listInvariants(deps)).items;
    expect(before.map((item) => item.status)).toEqual(Array(5).fill('unchecked'));
    expect(before[0]).toEqual(expect.objectContaining({ ok: false, violations: 0, examples: [] }));
    expect(before[0]?.checkedAt).toBeUndefined();
    // Act
    const counts = await checkInvariants(deps);
    // Assert
    expect(Object.values(counts)).toEqual([0, 0, 0, 0, 0]);
    const views = (await listInvariants(deps)).items;
    expect(views.map((view) => view.status)).toEqual(Array(5).fill('ok'));
    expect(views.find((view) => view.name === 'agent_claims_match')?.lastRound?.checked).toBe(2);
  });

  it('finds a held item whose lease ran out with no sweep, and repairs it by ending the claim', async () => {
    // Arrange: a claim, then time passes beyond the lease and the grace period with no sweeper
    const team = aTeam();
    const [agent] = (await registerAgents(deps, 1, { team })) as [string];
    const item = await createWork(deps, asAdmin(), { type: 'task', title: 'Held', team });
    await claimWork(deps, asAgent(agent), { id: item.id, agentId: agent });
    store.clock.advance(DEFAULT_SETTINGS.leaseSeconds + LEASE_GRACE_SECONDS + 1);
    // Act
    const counts = await checkInvariants(deps);
    const view = await viewOf('held_items_leased');
    const repair = await repairInvariant(deps, asAdmin(), 'held_items_leased');
    // Assert
    expect(counts.held_items_leased).toBe(1);
    expect(view).toMatchObject({
      status: 'violated',
      ok: false,
      violations: 1,
      checkedAt: store.clock.iso(),
    });
    expect(view.examples).toEqual(view.lastRound?.examples);
    expect(view.lastRound?.examples).toEqual([
      { entityId: item.id, detail: expect.stringContaining(`held by ${agent}`) },
    ]);
    expect(repair).toEqual({ name: 'held_items_leased', repaired: 1, remaining: [] });
    expect((await deps.work.get(item.id))?.status).toBe('ready');
    expect(await auditOf(item.id)).toContain('work.released');
    expect((await deps.agents.get(agent))?.activeClaims).toBe(0);
    const after = await viewOf('held_items_leased');
    expect(after).toMatchObject({ status: 'ok', ok: true, violations: 0, examples: [] });
    expect(after.lastRepair).toEqual({ at: store.clock.iso(), repaired: 1, by: 'admin' });
  });

  it('finds an agent whose activeClaims differs from what it holds, and sets it to the count', async () => {
    // Arrange: the agent's counter is written wrong in the store
    const team = aTeam();
    const [agentId] = (await registerAgents(deps, 1, { team, capacity: 3 })) as [string];
    const agent = await deps.agents.get(agentId);
    if (!agent) throw new Error('not stored');
    await deps.uow.commit({
      writes: [
        {
          kind: 'agent',
          agent: { ...agent, activeClaims: 2, version: agent.version + 1 },
          expectedVersion: agent.version,
        },
      ],
      events: [],
    });
    // Act
    const counts = await checkInvariants(deps);
    const repair = await repairInvariant(deps, asAdmin(), 'agent_claims_match');
    // Assert
    expect(counts.agent_claims_match).toBe(1);
    expect(repair.repaired).toBe(1);
    expect((await deps.agents.get(agentId))?.activeClaims).toBe(0);
    const events = (await deps.audit.list({ entityId: agentId, limit: 50 })).items;
    expect(events).toContainEqual(
      expect.objectContaining({
        action: 'invariant.repaired',
        before: { activeClaims: 2 },
        after: { activeClaims: 0, invariant: 'agent_claims_match' },
      }),
    );
    expect((await checkInvariants(deps)).agent_claims_match).toBe(0);
  });

  it('finds a ready item waiting on an open dependency, and blocks it again', async () => {
    // Arrange: B depends on A (open), but is written ready
    const team = aTeam();
    const a = await createWork(deps, asAdmin(), { type: 'task', title: 'First', team });
    const b = await createWork(deps, asAdmin(), { type: 'task', title: 'Second', team, dependsOn: [a.id] });
    const stored = await deps.work.get(b.id);
    if (!stored) throw new Error('not stored');
    expect(stored.status).toBe('blocked');
    await deps.uow.commit({
      writes: [
        {
          kind: 'work',
          item: { ...stored, status: 'ready', version: stored.version + 1 },
          expectedVersion: stored.version,
        },
      ],
      events: [],
    });
    // Act
    const counts = await checkInvariants(deps);
    const view = await viewOf('ready_items_unblocked');
    const repair = await repairInvariant(deps, asAdmin(), 'ready_items_unblocked');
    // Assert
    expect(counts.ready_items_unblocked).toBe(1);
    expect(view.lastRound?.examples).toEqual([{ entityId: b.id, detail: `ready while waiting on ${a.id}` }]);
    expect(repair.repaired).toBe(1);
    expect((await deps.work.get(b.id))?.status).toBe('blocked');
    expect(await auditOf(b.id)).toContain('invariant.repaired');
  });

  it('finds an open escalation of a completed item, and resolves it', async () => {
    // Arrange: an open escalation is stored for an item that is then written completed
    const team = aTeam();
    const item = await createWork(deps, asAdmin(), { type: 'task', title: 'Done', team });
    const stored = await deps.work.get(item.id);
    if (!stored) throw new Error('not stored');
    const id = escalationId(item.id, 'deadline', 1);
    await deps.uow.commit({
      writes: [
        {
          kind: 'escalation',
          escalation: {
            id,
            workId: item.id,
            team,
            kind: 'deadline',
            number: 1,
            status: 'open',
            openedAt: store.clock.iso(),
            details: {},
            version: 1,
          },
          expectedVersion: null,
        },
        {
          kind: 'work',
          item: { ...stored, status: 'completed', version: stored.version + 1 },
          expectedVersion: stored.version,
        },
      ],
      events: [],
    });
    // Act
    const counts = await checkInvariants(deps);
    const repair = await repairInvariant(deps, asAdmin(), 'escalations_on_open_items');
    // Assert
    expect(counts.escalations_on_open_items).toBe(1);
    expect(repair.repaired).toBe(1);
    expect((await deps.escalations.get(id))?.status).toBe('resolved');
    expect(await auditOf(id)).toContain('escalation.resolved');
  });

  it('finds an agent silent past its timeout that was never announced offline, and announces it', async () => {
    // Arrange: time passes with no heartbeat and no sweep
    const team = aTeam();
    const [agentId] = (await registerAgents(deps, 1, { team })) as [string];
    store.clock.advance(30 * DEFAULT_SETTINGS.heartbeatTimeoutMultiple + LEASE_GRACE_SECONDS + 1);
    // Act
    const counts = await checkInvariants(deps);
    const repair = await repairInvariant(deps, asAdmin(), 'silent_agents_announced');
    // Assert
    expect(counts.silent_agents_announced).toBe(1);
    expect(repair.repaired).toBe(1);
    expect((await deps.agents.get(agentId))?.offlineSince).toBe(store.clock.iso());
    expect(await auditOf(agentId)).toContain('agent.status');
    expect((await checkInvariants(deps)).silent_agents_announced).toBe(0);
  });

  it('refuses to repair a name that is no invariant', async () => {
    await expect(repairInvariant(deps, asAdmin(), 'no_such_thing')).rejects.toBeInstanceOf(NotFoundError);
  });
});
