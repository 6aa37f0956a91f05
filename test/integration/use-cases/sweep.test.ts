/**
 * The sweeper and escalations against DynamoDB Local on a fixed clock: leases that run out,
 * retry budgets, deadlines, failed dependencies, crash repairs, offline agents, and passes that
 * overlap. Escalation requests are collected and handed to the consumer's use case, as the
 * queue would.
 */
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teamsKey } from '#adapters/dynamo/keys';
import { metaTable, tableName } from '#adapters/dynamo/tables';
import { applyHeartbeats } from '#app/use-cases/apply-heartbeats';
import { cancelWork } from '#app/use-cases/cancel-work';
import { claimWork } from '#app/use-cases/claim-work';
import { completeWork } from '#app/use-cases/complete-work';
import { createWork } from '#app/use-cases/create-work';
import { failWork } from '#app/use-cases/fail-work';
import { listEscalations } from '#app/use-cases/list-escalations';
import { recordEscalation } from '#app/use-cases/record-escalation';
import { registerAgent } from '#app/use-cases/register-agent';
import { reportProgress } from '#app/use-cases/report-progress';
import { retireAgent } from '#app/use-cases/retire-agent';
import { retryWork } from '#app/use-cases/retry-work';
import { sweep } from '#app/use-cases/sweep';
import { UnavailableError } from '#core/errors';
import type { EscalationPublisher } from '#core/ports';
import { DEFAULT_SETTINGS } from '#core/settings';
import { addSeconds } from '#core/time';
import { completeWork as decideCompletion } from '#core/work/holder-actions';
import { unique } from '#test/support/builders';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { type CollectingPublisher, collectingPublisher } from '#test/support/escalations';
import {
  asAdmin,
  asAgent,
  asRegistration,
  aTeam,
  registerAgents,
  type UseCaseDeps,
  useCaseDeps,
} from './fixture';

let store: TestStore;
let deps: UseCaseDeps;
let published: CollectingPublisher;

beforeAll(async () => {
  store = await createTestStore('uc-sweep');
  published = collectingPublisher();
  deps = { ...useCaseDeps(store), escalationPublisher: published };
});

afterAll(async () => {
  await store.cleanup();
});

const LEASE = DEFAULT_SETTINGS.leaseSeconds;

/** What the queue would do: hand every published request to the consumer's use case. */
const deliverEscalations = async () => {
  for (const request of published.drain()) await recordEscalation(deps, request);
};

const escalationsOf = async (team: string, status?: 'open' | 'resolved') =>
  (await listEscalations(deps, asAdmin(), { team, limit: 200, ...(status ? { status } : {}) })).items;

const claimed = async (team: string, options: { maxAttempts?: number; deadline?: string } = {}) => {
  const [agent] = (await registerAgents(deps, 1, { team })) as [string];
  const item = await createWork(deps, asAdmin(), { type: 'task', title: 'Do it', team, ...options });
  const claim = await claimWork(deps, asAgent(agent), { id: item.id, agentId: agent });
  return { agent, item, token: claim.claim.token };
};

describe('the old team registry', () => {
  it('is emptied into team items a bounded number per pass', async () => {
    // Arrange: the one item earlier versions kept every team name in
    const scoped = await createTestStore('uc-sweep-teams');
    try {
      const scopedDeps = { ...useCaseDeps(scoped), escalationPublisher: collectingPublisher() };
      const names = ['alpha', 'beta', 'gamma'];
      await DynamoDBDocumentClient.from(scoped.client).send(
        new PutCommand({
          TableName: tableName(scoped.tablePrefix, metaTable),
          Item: { ...teamsKey(), names: new Set(names) },
        }),
      );
      // Act
      const first = await sweep(scopedDeps, { limits: { teams: 2 } });
      const second = await sweep(scopedDeps, { limits: { teams: 2 } });
      const third = await sweep(scopedDeps, { limits: { teams: 2 } });
      // Assert
      expect([first.movedTeams, second.movedTeams, third.movedTeams]).toEqual([2, 1, 0]);
      expect(await scoped.ports.teams.list({ limit: 10 })).toEqual({ items: names });
    } finally {
      await scoped.cleanup();
    }
  });
});

describe('expired leases', () => {
  it('end a drain: the retired holder’s token is revoked', async () => {
    // Arrange: an agent draining its one claim, with its own token
    const team = aTeam();
    const agent = `agent-${unique()}`;
    const { token: bearer } = await registerAgent(deps, asRegistration(), { id: agent, team });
    const item = await createWork(deps, asAdmin(), { type: 'task', title: 'Do it', team });
    await claimWork(deps, asAgent(agent), { id: item.id, agentId: agent });
    await retireAgent(deps, asAgent(agent), { id: agent, mode: 'drain' });
    const tokenId = bearer.split('.')[0] ?? '';
    expect(await deps.tokens.get(tokenId)).toBeDefined();
    // Act
    store.clock.advance(LEASE + 1);
    await sweep(deps);
    // Assert
    expect(await deps.agents.get(agent)).toMatchObject({ activeClaims: 0 });
    expect(await deps.tokens.get(tokenId)).toBeUndefined();
  });

  it('return a silent holder’s item to ready for another agent to complete; the late complete is stale', async () => {
    // Arrange
    const team = aTeam();
    const { agent, item, token } = await claimed(team);
    const [other] = (await registerAgents(deps, 1, { team })) as [string];
    // Act
    store.clock.advance(LEASE + 1);
    await sweep(deps);
    // Assert
    expect(await deps.work.get(item.id)).toMatchObject({ status: 'ready', attempts: 1 });
    expect(await deps.agents.get(agent)).toMatchObject({ activeClaims: 0, stats: { leaseExpiries: 1 } });
    const second = await claimWork(deps, asAgent(other), { id: item.id, agentId: other });
    await completeWork(deps, asAgent(other), { id: item.id, claimToken: second.claim.token });
    await expect(completeWork(deps, asAgent(agent), { id: item.id, claimToken: token })).rejects.toThrow(
      expect.objectContaining({ code: 'stale_claim', details: { status: 'completed' } }),
    );
  });

  it('leave a lease alone that progress renewed', async () => {
    const { agent, item, token } = await claimed(aTeam());
    store.clock.advance(LEASE - 60);
    await reportProgress(deps, asAgent(agent), { id: item.id, claimToken: token, progress: 40 });
    store.clock.advance(120);

    await sweep(deps);

    expect(await deps.work.get(item.id)).toMatchObject({ status: 'in_progress', attempts: 0 });
  });

  it('keep a claim its holder heartbeats past the written lease, without a new version, and end it once the holder goes silent', async () => {
    const { agent, item } = await claimed(aTeam());
    store.clock.advance(LEASE - 60);
    const beatAt = store.clock.iso();
    await applyHeartbeats(deps, [{ agentId: agent, at: beatAt, requestId: 'req-beat' }]);
    const beforePass = await deps.work.get(item.id);
    store.clock.advance(120);

    await sweep(deps);

    const held = await deps.work.get(item.id);
    expect(held).toMatchObject({ status: 'claimed', attempts: 0, version: beforePass?.version });
    expect(held?.claim).toMatchObject({
      token: beforePass?.claim?.token,
      leaseExpiresAt: addSeconds(beatAt, LEASE),
    });
    store.clock.advance(LEASE);
    await sweep(deps);
    expect(await deps.work.get(item.id)).toMatchObject({ status: 'ready', attempts: 1 });
    expect(await deps.agents.get(agent)).toMatchObject({ activeClaims: 0, stats: { leaseExpiries: 1 } });
  });

  it('keep a claim whose holder heartbeats between the pass reading it and ending its lease', async () => {
    // Arrange: the pass reads the holder as it was before its heartbeat (the heartbeat lands after)
    const { agent, item } = await claimed(aTeam());
    const silent = await deps.agents.get(agent);
    store.clock.advance(LEASE + 1);
    await applyHeartbeats(deps, [{ agentId: agent, at: store.clock.iso(), requestId: 'req-late' }]);
    let staleReads = 1;
    const racing: UseCaseDeps = {
      ...deps,
      agents: {
        list: (query) => deps.agents.list(query),
        get: async (id) => {
          if (id === agent && staleReads > 0) {
            staleReads -= 1;
            return silent;
          }
          return deps.agents.get(id);
        },
      },
    };
    // Act
    await sweep(racing);
    // Assert: the expiry's condition on the holder's silence refused it
    expect(staleReads).toBe(0);
    expect(await deps.work.get(item.id)).toMatchObject({ status: 'claimed', attempts: 0 });
    expect(await deps.agents.get(agent)).toMatchObject({ activeClaims: 1 });
  });

  it('end each claim once when passes overlap', async () => {
    // Arrange: ten held items
    const team = aTeam();
    const held = await Promise.all(Array.from({ length: 10 }, () => claimed(team)));
    store.clock.advance(LEASE + 1);
    // Act
    await Promise.all([sweep(deps), sweep(deps), sweep(deps)]);
    // Assert
    for (const { item, agent } of held) {
      expect(await deps.work.get(item.id)).toMatchObject({ status: 'ready', attempts: 1 });
      expect(await deps.agents.get(agent)).toMatchObject({ activeClaims: 0, stats: { leaseExpiries: 1 } });
    }
  });

  it('escalate an item whose retry budget they spend; one retries_exhausted escalation, resolved by retry', async () => {
    // Arrange
    const team = aTeam();
    const { item } = await claimed(team, { maxAttempts: 1 });
    published.drain();
    store.clock.advance(LEASE + 1);
    // Act
    await sweep(deps);
    const requests = [...published.published];
    await deliverEscalations();
    await recordEscalation(deps, requests[0] ?? { workId: item.id, kind: 'retries_exhausted', at: '' });
    // Assert
    expect(await deps.work.get(item.id)).toMatchObject({ status: 'escalated', attempts: 1 });
    expect(requests).toEqual([expect.objectContaining({ workId: item.id, kind: 'retries_exhausted' })]);
    const [open, ...more] = await escalationsOf(team, 'open');
    expect(more).toEqual([]);
    expect(open).toMatchObject({
      id: `${item.id}~retries_exhausted~1`,
      workId: item.id,
      team,
      kind: 'retries_exhausted',
      status: 'open',
      details: { attempts: 1, maxAttempts: 1, cause: 'lease_expired' },
    });

    const retried = await retryWork(deps, asAdmin(), { id: item.id, note: 'try again' });

    expect(retried).toMatchObject({ status: 'ready', attempts: 0 });
    expect(await escalationsOf(team, 'open')).toEqual([]);
    expect(await escalationsOf(team, 'resolved')).toEqual([
      expect.objectContaining({
        id: open?.id,
        status: 'resolved',
        resolvedAt: store.clock.iso(),
        resolution: { by: { type: 'admin', id: 'admin' }, note: 'try again' },
      }),
    ]);
  });
});

describe('deadlines', () => {
  it('open one deadline escalation when a ready item passes its deadline, settled once it is claimed', async () => {
    // Arrange
    const team = aTeam();
    const [agent] = (await registerAgents(deps, 1, { team })) as [string];
    const deadline = new Date(store.clock.now().getTime() + 60_000).toISOString();
    const item = await createWork(deps, asAdmin(), { type: 'task', title: 'Soon', team, deadline });
    published.drain();
    // Act: the deadline passes, two passes run
    store.clock.advance(61);
    await sweep(deps);
    await deliverEscalations();
    await sweep(deps);
    // Assert
    expect(published.published).toEqual([]);
    expect(await escalationsOf(team, 'open')).toEqual([
      expect.objectContaining({ workId: item.id, kind: 'deadline', details: { deadline, status: 'ready' } }),
    ]);
    const stored = await deps.work.get(item.id);
    expect(stored?.status).toBe('ready');
    expect(stored?.urgency).toBeCloseTo(200 + 50 + 300 + 0.1, 2);
    expect(stored?.deadlineEscalatedAt).toBe(store.clock.iso());

    await claimWork(deps, asAgent(agent), { id: item.id, agentId: agent });
    await sweep(deps);

    expect(await escalationsOf(team, 'open')).toEqual([]);
    expect(await escalationsOf(team, 'resolved')).toEqual([
      expect.objectContaining({
        kind: 'deadline',
        resolution: expect.objectContaining({ by: { type: 'system', id: 'system' } }),
      }),
    ]);
  });
});

describe('failed dependencies', () => {
  it('escalate each blocked dependent; retrying the dependency resolves them and they stay blocked', async () => {
    // Arrange
    const team = aTeam();
    const { agent, item: dependency, token } = await claimed(team);
    const dependents = await Promise.all(
      ['x', 'y'].map((title) =>
        createWork(deps, asAdmin(), { type: 'task', title, team, dependsOn: [dependency.id] }),
      ),
    );
    published.drain();
    // Act
    await failWork(deps, asAgent(agent), {
      id: dependency.id,
      claimToken: token,
      reason: 'broken',
      retryable: false,
    });
    await deliverEscalations();
    // Assert
    const open = await escalationsOf(team, 'open');
    expect(open.map((e) => [e.workId, e.kind]).sort()).toEqual(
      dependents.map((d) => [d.id, 'dependency_failed']).sort(),
    );
    expect(open[0]?.details).toMatchObject({
      dependencyId: dependency.id,
      dependencies: [{ id: dependency.id, status: 'failed' }],
    });

    await retryWork(deps, asAdmin(), { id: dependency.id });

    expect(await escalationsOf(team, 'open')).toEqual([]);
    for (const dependent of dependents) expect((await deps.work.get(dependent.id))?.status).toBe('blocked');
  });

  it('escalate the dependents of a cancelled dependency; cancelling a dependent resolves its own', async () => {
    const team = aTeam();
    const dependency = await createWork(deps, asAdmin(), { type: 'task', title: 'base', team });
    const dependent = await createWork(deps, asAdmin(), {
      type: 'task',
      title: 'top',
      team,
      dependsOn: [dependency.id],
    });
    published.drain();

    await cancelWork(deps, asAdmin(), { id: dependency.id });
    await deliverEscalations();
    expect(await escalationsOf(team, 'open')).toEqual([
      expect.objectContaining({ workId: dependent.id, kind: 'dependency_failed' }),
    ]);
    await cancelWork(deps, asAdmin(), { id: dependent.id, reason: 'not needed' });

    expect(await escalationsOf(team, 'open')).toEqual([]);
  });
});

describe('repairs', () => {
  it('unblock a dependent whose unblock a crash interrupted', async () => {
    // Arrange: the dependency completes, but its dependents are never told (the process died)
    const team = aTeam();
    const { agent, item: dependency, token } = await claimed(team);
    const dependent = await createWork(deps, asAdmin(), {
      type: 'task',
      title: 'next',
      team,
      dependsOn: [dependency.id],
    });
    const stored = await deps.work.get(dependency.id);
    const ctx = {
      now: store.clock.now(),
      actor: { type: 'agent' as const, id: agent },
      ids: deps.ids,
      settings: DEFAULT_SETTINGS,
    };
    await deps.uow.commit(
      decideCompletion(stored ?? (dependency as never), { token, agentId: agent }, ctx).change,
    );
    expect((await deps.work.get(dependent.id))?.status).toBe('blocked');
    // Act
    await sweep(deps);
    // Assert
    expect(await deps.work.get(dependent.id)).toMatchObject({ status: 'ready', remainingDeps: [] });
  });

  it('ask again for escalations whose requests a busy queue lost', async () => {
    // Arrange: the queue is unavailable while a dependency fails for good and an item spends its budget
    const team = aTeam();
    const unavailable: EscalationPublisher = {
      publish: () => Promise.reject(new UnavailableError('queue down')),
    };
    const offline = { ...deps, escalationPublisher: unavailable };
    const base = await claimed(team);
    const dependent = await createWork(deps, asAdmin(), {
      type: 'task',
      title: 'top',
      team,
      dependsOn: [base.item.id],
    });
    const last = await claimed(team, { maxAttempts: 1 });
    await failWork(offline, asAgent(base.agent), {
      id: base.item.id,
      claimToken: base.token,
      reason: 'x',
      retryable: false,
    });
    await failWork(offline, asAgent(last.agent), { id: last.item.id, claimToken: last.token, reason: 'y' });
    published.drain();
    // Act: a minute later, the sweeper notices
    await sweep(deps);
    expect(published.published).toEqual([]);
    store.clock.advance(61);
    await sweep(deps);
    await deliverEscalations();
    await sweep(deps);
    // Assert
    expect(published.published).toEqual([]);
    const open = await escalationsOf(team, 'open');
    expect(open.map((e) => [e.workId, e.kind]).sort()).toEqual(
      [
        [dependent.id, 'dependency_failed'],
        [last.item.id, 'retries_exhausted'],
      ].sort(),
    );
  });
});

describe('agents and urgency', () => {
  it('announce a silent agent offline once per silence', async () => {
    const [agent] = (await registerAgents(deps, 1, { team: aTeam() })) as [string];
    store.clock.advance(3 * 30 + 1);

    await sweep(deps);
    await sweep(deps);

    const events = (await deps.audit.list({ entityId: agent, limit: 50 })).items;
    expect(events.filter((e) => e.action === 'agent.status')).toEqual([
      expect.objectContaining({
        after: expect.objectContaining({ status: 'offline' }),
        actor: { type: 'system', id: 'system' },
      }),
    ]);
  });

  it('move an aging item up the ready index', async () => {
    const item = await createWork(deps, asAdmin(), {
      type: 'task',
      title: 'old',
      team: aTeam(),
      priority: 'low',
    });
    expect((await deps.work.get(item.id))?.urgency).toBe(150);
    store.clock.advance(60 * 60);

    await sweep(deps);

    const stored = await deps.work.get(item.id);
    expect(stored?.urgency).toBe(156);
    expect(Date.parse(stored?.reviewAt ?? '')).toBeGreaterThan(store.clock.now().getTime());
  });
});
