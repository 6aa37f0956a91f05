import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyHeartbeats } from '#app/use-cases/apply-heartbeats';
import { claimWork } from '#app/use-cases/claim-work';
import { completeWork } from '#app/use-cases/complete-work';
import { createWork } from '#app/use-cases/create-work';
import { failWork } from '#app/use-cases/fail-work';
import { getAgent } from '#app/use-cases/get-agent';
import { getConfig } from '#app/use-cases/get-config';
import { issueAgentToken } from '#app/use-cases/issue-agent-token';
import { issueToken } from '#app/use-cases/issue-token';
import { listAgents } from '#app/use-cases/list-agents';
import { listAudit } from '#app/use-cases/list-audit';
import { listTeams, MAX_TEAMS_PAGE } from '#app/use-cases/list-teams';
import { reassignWork } from '#app/use-cases/reassign-work';
import { registerAgent } from '#app/use-cases/register-agent';
import { retireAgent } from '#app/use-cases/retire-agent';
import { revokeToken } from '#app/use-cases/revoke-token';
import { sweep } from '#app/use-cases/sweep';
import { updateAgent } from '#app/use-cases/update-agent';
import { updateConfig } from '#app/use-cases/update-config';
import {
  AgentExistsError,
  AgentRetiringError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '#core/errors';
import { unique } from '#test/support/builders';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import {
  asAdmin,
  asAgent,
  asRegistration,
  aTeam,
  registerAgents,
  tokenRecordOf,
  type UseCaseDeps,
  useCaseDeps,
} from './fixture';

let store: TestStore;
let deps: UseCaseDeps;

beforeAll(async () => {
  store = await createTestStore('uc-agents');
  deps = useCaseDeps(store);
});

afterAll(async () => {
  await store.cleanup();
});

const verify = (bearer: string) => tokenRecordOf(deps, bearer);

describe('registerAgent', () => {
  it('registers an idle agent with defaults and a working token, and refuses the same id again', async () => {
    const id = `agent-${unique()}`;
    const { agent, token } = await registerAgent(deps, asRegistration(), { id, team: aTeam() });
    expect(agent).toMatchObject({
      id,
      capacity: 1,
      heartbeatIntervalSec: 30,
      capabilities: [],
      status: 'idle',
      activeClaims: 0,
    });
    expect(agent.health).toEqual({ score: 100, reasons: [] });
    expect(agent).not.toHaveProperty('tokenId');
    expect(await verify(token)).toMatchObject({ role: 'agent', agentId: id });
    await expect(registerAgent(deps, asRegistration(), { id, team: 'other' })).rejects.toThrow(
      AgentExistsError,
    );
  });

  it('limits a team registration token to its team', async () => {
    const ctx = { principal: { role: 'registration' as const, id: 'tok_x', team: 'alpha' }, requestId: 'r' };
    await expect(registerAgent(deps, ctx, { id: `agent-${unique()}`, team: 'beta' })).rejects.toThrow(
      ForbiddenError,
    );
  });
});

describe('agent tokens', () => {
  it('issues a new token and the earlier one stops working', async () => {
    const id = `agent-${unique()}`;
    const { token: first } = await registerAgent(deps, asRegistration(), { id, team: aTeam() });
    const { token: second } = await issueAgentToken(deps, asAdmin(), { id });
    expect(await verify(first)).toBeUndefined();
    expect(await verify(second)).toMatchObject({ agentId: id });
  });

  it('issues and revokes admin-made tokens', async () => {
    const issued = await issueToken(deps, asAdmin(), { role: 'registration', team: 'core', label: 'ci' });
    expect(issued).toMatchObject({ role: 'registration', team: 'core' });
    expect(await verify(issued.token)).toMatchObject({ role: 'registration', team: 'core' });
    await revokeToken(deps, asAdmin(), { id: issued.id });
    expect(await verify(issued.token)).toBeUndefined();
    await expect(revokeToken(deps, asAdmin(), { id: issued.id })).rejects.toThrow(NotFoundError);
  });
});

describe('reading and changing agents', () => {
  it('lets an agent read and patch only itself', async () => {
    const [a = '', b = ''] = await registerAgents(deps, 2, { team: aTeam() });
    await expect(getAgent(deps, asAgent(a), { id: b })).rejects.toThrow(ForbiddenError);
    await expect(updateAgent(deps, asAgent(a), { id: b, capacity: 3 })).rejects.toThrow(ForbiddenError);
    expect(await updateAgent(deps, asAgent(a), { id: a, capacity: 3, capabilities: ['go'] })).toMatchObject({
      capacity: 3,
      capabilities: ['go'],
      version: 2,
    });
    await expect(getAgent(deps, asAdmin(), { id: 'agent-missing' })).rejects.toThrow(NotFoundError);
  });

  it('filters by derived status and pages without skipping anyone', async () => {
    const team = aTeam();
    const agents = await registerAgents(deps, 5, { team });
    const item = await createWork(deps, asAdmin(), { type: 't', title: 't', team });
    const [busy = ''] = agents;
    await claimWork(deps, asAgent(busy), { id: item.id, agentId: busy });

    const active = await listAgents(deps, asAdmin(), { team, status: 'active' });
    expect(active.items.map((a) => a.id)).toEqual([busy]);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listAgents(deps, asAdmin(), {
        team,
        status: 'idle',
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((a) => a.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(agents.filter((id) => id !== busy).sort());
  });
});

describe('heartbeats', () => {
  it('brings an offline agent back and renews the leases of what it holds', async () => {
    const team = aTeam();
    const [a = ''] = await registerAgents(deps, 1, { team });
    const item = await createWork(deps, asAdmin(), { type: 't', title: 't', team });
    const claim = await claimWork(deps, asAgent(a), { id: item.id, agentId: a });
    store.clock.advance(200);
    expect((await getAgent(deps, asAdmin(), { id: a })).status).toBe('offline');

    await applyHeartbeats(deps, [
      { agentId: a, at: store.clock.iso(), status: 'active', requestId: 'req-hb' },
    ]);

    expect(await getAgent(deps, asAdmin(), { id: a })).toMatchObject({
      status: 'active',
      reportedStatus: 'active',
      lastHeartbeatAt: store.clock.iso(),
    });
    const beatAt = store.clock.now().getTime();
    store.clock.advance(150);
    await sweep(deps);
    const renewed = await deps.work.get(item.id);
    expect(renewed?.claim?.leaseExpiresAt).toBe(new Date(beatAt + 300_000).toISOString());
    expect(renewed?.claim?.token).toBe(claim.claim.token);
  });
});

describe('retireAgent', () => {
  it('drain: refuses new claims and keeps current ones; retired when none are left', async () => {
    const team = aTeam();
    const [a = ''] = await registerAgents(deps, 1, { team, capacity: 2 });
    const first = await createWork(deps, asAdmin(), { type: 't', title: '1', team });
    const second = await createWork(deps, asAdmin(), { type: 't', title: '2', team });
    const held = await claimWork(deps, asAgent(a), { id: first.id, agentId: a });
    expect(await retireAgent(deps, asAgent(a), { id: a, mode: 'drain' })).toMatchObject({
      status: 'retiring',
    });
    await expect(claimWork(deps, asAgent(a), { id: second.id, agentId: a })).rejects.toThrow(
      AgentRetiringError,
    );
    expect((await deps.work.get(first.id))?.claim?.agentId).toBe(a);

    store.clock.advance(10);
    const [beat] = await applyHeartbeats(deps, [
      { agentId: a, at: store.clock.iso(), requestId: 'req-drain' },
    ]);
    expect(beat).toEqual({ agentId: a, recorded: true });
    await completeWork(deps, asAgent(a), { id: first.id, claimToken: held.claim.token });

    expect(await getAgent(deps, asAdmin(), { id: a })).toMatchObject({ status: 'retired', activeClaims: 0 });
  });

  it('drain: the token works until the last claim ends, then it is revoked', async () => {
    const team = aTeam();
    const id = `agent-${unique()}`;
    const { token } = await registerAgent(deps, asRegistration(), { id, team, capacity: 2 });
    const items = [
      await createWork(deps, asAdmin(), { type: 't', title: '1', team }),
      await createWork(deps, asAdmin(), { type: 't', title: '2', team }),
    ];
    const [first, second] = await Promise.all(
      items.map((item) => claimWork(deps, asAgent(id), { id: item.id, agentId: id })),
    );
    await retireAgent(deps, asAgent(id), { id, mode: 'drain' });
    expect(await verify(token)).toMatchObject({ agentId: id });

    await completeWork(deps, asAgent(id), { id: items[0]?.id ?? '', claimToken: first?.claim.token ?? '' });
    expect(await verify(token)).toMatchObject({ agentId: id });
    await failWork(deps, asAgent(id), {
      id: items[1]?.id ?? '',
      claimToken: second?.claim.token ?? '',
      reason: 'x',
    });

    expect(await getAgent(deps, asAdmin(), { id })).toMatchObject({ status: 'retired' });
    expect(await verify(token)).toBeUndefined();
  });

  it('drain: an admin taking back the last claim revokes the token; a busy agent keeps its token', async () => {
    const team = aTeam();
    const [draining, busy] = [`agent-${unique()}`, `agent-${unique()}`];
    const { token } = await registerAgent(deps, asRegistration(), { id: draining, team });
    const { token: busyToken } = await registerAgent(deps, asRegistration(), { id: busy, team });
    const item = await createWork(deps, asAdmin(), { type: 't', title: '1', team });
    const other = await createWork(deps, asAdmin(), { type: 't', title: '2', team });
    await claimWork(deps, asAgent(draining), { id: item.id, agentId: draining });
    const held = await claimWork(deps, asAgent(busy), { id: other.id, agentId: busy });
    await retireAgent(deps, asAgent(draining), { id: draining, mode: 'drain' });

    await reassignWork(deps, asAdmin(), { id: item.id });
    await completeWork(deps, asAgent(busy), { id: other.id, claimToken: held.claim.token });

    expect(await verify(token)).toBeUndefined();
    expect(await verify(busyToken)).toMatchObject({ agentId: busy });
  });

  it('release: returns its claims to ready and ends retired', async () => {
    const team = aTeam();
    const [a = ''] = await registerAgents(deps, 1, { team, capacity: 2 });
    const items = [
      await createWork(deps, asAdmin(), { type: 't', title: '1', team }),
      await createWork(deps, asAdmin(), { type: 't', title: '2', team }),
    ];
    for (const item of items) await claimWork(deps, asAgent(a), { id: item.id, agentId: a });
    const retired = await retireAgent(deps, asAdmin(), { id: a, mode: 'release' });
    expect(retired).toMatchObject({ status: 'retired', activeClaims: 0 });
    for (const item of items) expect((await deps.work.get(item.id))?.status).toBe('ready');
  });
});

describe('config', () => {
  it('merges a partial update deeply, validates ranges, and the next claim uses the new lease', async () => {
    const updated = await updateConfig(deps, asAdmin(), {
      leaseSeconds: 60,
      urgencyWeights: { priority: { low: 1 } },
    });
    expect(updated.leaseSeconds).toBe(60);
    expect(updated.urgencyWeights.priority).toEqual({ critical: 400, high: 300, medium: 200, low: 1 });
    expect(await getConfig(deps, asAdmin())).toEqual(updated);
    const again = await updateConfig(deps, asAdmin(), { defaultMaxAttempts: 5 });
    expect(again).toMatchObject({ leaseSeconds: 60, defaultMaxAttempts: 5 });

    const team = aTeam();
    const [a = ''] = await registerAgents(deps, 1, { team });
    const item = await createWork(deps, asAdmin(), { type: 't', title: 't', team });
    expect(item.maxAttempts).toBe(5);
    const claim = await claimWork(deps, asAgent(a), { id: item.id, agentId: a });
    expect(claim.claim.leaseExpiresAt).toBe(new Date(store.clock.now().getTime() + 60_000).toISOString());

    await expect(
      updateConfig(deps, asAdmin(), { urgencyWeights: { agingMinutesPerPoint: 0 } }),
    ).rejects.toThrow(ValidationError);
    await updateConfig(deps, asAdmin(), { leaseSeconds: 300, defaultMaxAttempts: 3 });
  });
});

describe('teams and audit', () => {
  it('summarizes agents and work per team with a forecast', async () => {
    const team = aTeam();
    const [a = ''] = await registerAgents(deps, 2, { team });
    const deadline = new Date(store.clock.now().getTime() + 10 * 60_000).toISOString();
    const item = await createWork(deps, asAdmin(), {
      type: 't',
      title: 't',
      team,
      estimateMinutes: 60,
      deadline,
    });
    await createWork(deps, asAdmin(), { type: 't', title: 'u', team });
    await claimWork(deps, asAgent(a), { id: item.id, agentId: a });

    // Other tests of the file made teams too: page until this one (a page answers at most 20).
    let page = await listTeams(deps, asAdmin(), { limit: 200 });
    while (!page.items.some((t) => t.team === team) && page.nextCursor !== undefined) {
      page = await listTeams(deps, asAdmin(), { limit: 200, cursor: page.nextCursor });
    }
    const summary = page.items.find((t) => t.team === team);
    expect(summary).toMatchObject({
      agents: { active: 1, idle: 1, offline: 0 },
      work: { claimed: 1, ready: 1, completed: 0 },
      forecast: { etaMinutes: 60, atRisk: [expect.objectContaining({ workId: item.id, deadline })] },
    });
  });

  it('summarises at most MAX_TEAMS_PAGE teams per call, whatever the limit, and pages on', async () => {
    const scoped = await createTestStore('uc-teams-page');
    try {
      const scopedDeps = useCaseDeps(scoped);
      const names = Array.from(
        { length: MAX_TEAMS_PAGE + 1 },
        (_, index) => `t-${String(index).padStart(2, '0')}`,
      );
      for (const team of names) await scoped.ports.teams.ensure(team);

      const first = await listTeams(scopedDeps, asAdmin(), { limit: 200 });
      const second = await listTeams(scopedDeps, asAdmin(), { limit: 200, cursor: first.nextCursor ?? '' });

      expect(first.items.map((summary) => summary.team)).toEqual(names.slice(0, MAX_TEAMS_PAGE));
      expect(second.items.map((summary) => summary.team)).toEqual(names.slice(MAX_TEAMS_PAGE));
      expect(second.nextCursor).toBeUndefined();
    } finally {
      await scoped.cleanup();
    }
  });

  it('lists the audit trail of an entity with actor and request id', async () => {
    const id = `agent-${unique()}`;
    const ctx = asRegistration();
    await registerAgent(deps, ctx, { id, team: aTeam() });
    const page = await listAudit(deps, asAdmin(), { entityId: id });
    expect(page.items).toEqual([
      expect.objectContaining({
        action: 'agent.registered',
        seq: 1,
        actor: { type: 'registration', id: 'registration' },
        requestId: ctx.requestId,
      }),
    ]);
  });
});
