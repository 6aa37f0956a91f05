import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ImportAgentRecord,
  type ImportBody,
  ImportEventRecord,
  type ImportResult,
  ImportWorkRecord,
} from '#app/schemas/import';
import { claimWork } from '#app/use-cases/claim-work';
import { completeWork } from '#app/use-cases/complete-work';
import { createWork } from '#app/use-cases/create-work';
import { getAgent } from '#app/use-cases/get-agent';
import { importRecords, type RecordChecks } from '#app/use-cases/import-records';
import { issueAgentToken } from '#app/use-cases/issue-agent-token';
import { reportProgress } from '#app/use-cases/report-progress';
import { ValidationError } from '#core/errors';
import { DETACHED_HISTORY_SEQ } from '#core/import/history';
import type { AuditEvent } from '#core/model';
import { bodyCheck } from '#functions/shared/validation';
import { unique } from '#test/support/builders';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { asAdmin, asAgent, aTeam, registerAgents, type UseCaseDeps, useCaseDeps } from './fixture';

const checks: RecordChecks = {
  agents: bodyCheck(ImportAgentRecord),
  work: bodyCheck(ImportWorkRecord),
  events: bodyCheck(ImportEventRecord),
};

let store: TestStore;
let deps: UseCaseDeps;

beforeAll(async () => {
  store = await createTestStore('uc-import');
  deps = useCaseDeps(store);
});

afterAll(async () => {
  await store.cleanup();
});

const importing = (body: ImportBody): Promise<ImportResult> =>
  importRecords({ ...deps, checks }, asAdmin(), body);

const counts = (agents: number, work: number, events: number) => ({ agents, work, events });

const anAgentRecord = (team: string, overrides: Record<string, unknown> = {}) => ({
  id: `legacy-agent-${unique()}`,
  team,
  capabilities: ['backend'],
  capacity: 3,
  status: 'active',
  createdAt: '2026-02-20T08:00:00Z',
  lastHeartbeatAt: '2026-02-28T08:00:00Z',
  metadata: { legacy: { reactor_id: 'shell_agent' } },
  ...overrides,
});

const aWorkRecord = (team: string, overrides: Record<string, unknown> = {}) => ({
  id: `work_${unique()}`,
  type: 'backend',
  title: 'Imported work',
  team,
  priority: 'high',
  status: 'ready',
  progress: 0,
  attempts: 0,
  createdAt: '2026-02-21T12:00:00Z',
  updatedAt: '2026-02-21T13:00:00Z',
  metadata: { legacy: { status: 'pending' } },
  ...overrides,
});

const aHeldRecord = (team: string, agentId: string, overrides: Record<string, unknown> = {}) =>
  aWorkRecord(team, {
    status: 'in_progress',
    progress: 40,
    claim: { agentId, claimedAt: '2026-02-21T12:30:00Z' },
    ...overrides,
  });

const eventsOf = async (entityId: string): Promise<AuditEvent[]> =>
  (await deps.audit.list({ entityId, limit: 200 })).items;

describe('importRecords', () => {
  it('creates agents, work and history with their own ids, states and times', async () => {
    // Arrange
    const team = aTeam();
    const agent = anAgentRecord(team);
    const held = aHeldRecord(team, agent.id);
    const done = aWorkRecord(team, {
      status: 'completed',
      progress: 100,
      result: 'success',
      completedAt: '2026-02-22T09:00:00Z',
    });
    const history = [
      {
        at: '2026-02-21T12:30:00Z',
        actorId: agent.id,
        action: 'work.claimed',
        entityType: 'work',
        entityId: held.id,
      },
      {
        at: '2026-02-22T09:00:00Z',
        actorId: agent.id,
        action: 'work.completed',
        entityType: 'work',
        entityId: done.id,
        details: { velocityPoints: 5 },
      },
    ];

    // Act
    const reply = await importing({ agents: [agent], work: [held, done], events: history });

    // Assert
    expect(reply).toEqual({
      created: counts(1, 2, 2),
      unchanged: counts(0, 0, 0),
      conflicts: [],
      rejected: [],
    });
    const storedAgent = await getAgent(deps, asAdmin(), { id: agent.id });
    expect(storedAgent).toMatchObject({
      id: agent.id,
      team,
      capacity: 3,
      capabilities: ['backend'],
      activeClaims: 1,
      status: 'offline',
      lastHeartbeatAt: '2026-02-28T08:00:00.000Z',
      createdAt: '2026-02-20T08:00:00.000Z',
      metadata: { legacy: { reactor_id: 'shell_agent' } },
    });
    expect(JSON.stringify(storedAgent)).not.toContain('importFingerprint');
    expect(await deps.work.get(held.id)).toMatchObject({
      status: 'in_progress',
      progress: 40,
      createdAt: '2026-02-21T12:00:00.000Z',
      updatedAt: '2026-02-21T13:00:00.000Z',
      claim: {
        agentId: agent.id,
        claimedAt: '2026-02-21T12:30:00.000Z',
        leaseExpiresAt: new Date(store.clock.now().getTime() + 300_000).toISOString(),
      },
    });
    expect(await deps.work.get(done.id)).toMatchObject({ status: 'completed', result: 'success' });
    expect((await eventsOf(done.id)).map((event) => [event.action, event.seq, event.actor])).toEqual([
      ['work.completed', 2, { type: 'import', id: agent.id }],
      ['work.imported', 1, { type: 'admin', id: 'admin' }],
    ]);
  });

  it('changes nothing when the same records are imported again, even after they changed through the API', async () => {
    // Arrange
    const team = aTeam();
    const agent = anAgentRecord(team);
    const held = aHeldRecord(team, agent.id);
    const body: ImportBody = {
      agents: [agent],
      work: [held, aWorkRecord(team)],
      events: [
        {
          at: '2026-02-21T12:30:00Z',
          actorId: agent.id,
          action: 'work.claimed',
          entityType: 'work',
          entityId: held.id,
        },
      ],
    };
    await importing(body);
    const { token } = await issueAgentToken(deps, asAdmin(), { id: agent.id });
    expect(token).toContain('.');
    const taken = await claimWork(deps, asAgent(agent.id), { id: held.id, agentId: agent.id });
    await reportProgress(deps, asAgent(agent.id), {
      id: held.id,
      claimToken: taken.claim.token,
      progress: 70,
    });
    const before = {
      item: await deps.work.get(held.id),
      agent: await deps.agents.get(agent.id),
      events: await eventsOf(held.id),
    };

    // Act
    const reply = await importing(structuredClone(body));

    // Assert
    expect(reply).toEqual({
      created: counts(0, 0, 0),
      unchanged: counts(1, 2, 1),
      conflicts: [],
      rejected: [],
    });
    expect(await deps.work.get(held.id)).toEqual(before.item);
    expect(await deps.agents.get(agent.id)).toEqual(before.agent);
    expect(await eventsOf(held.id)).toEqual(before.events);
  });

  it('lets the holder take an imported claim up with a fresh token, counted once', async () => {
    const team = aTeam();
    const agent = anAgentRecord(team, { capacity: 1 });
    const held = aHeldRecord(team, agent.id);
    await importing({ agents: [agent], work: [held] });

    const taken = await claimWork(deps, asAgent(agent.id), { id: held.id, agentId: agent.id });
    await completeWork(deps, asAgent(agent.id), { id: held.id, claimToken: taken.claim.token });

    expect(taken.item).toMatchObject({ status: 'in_progress', progress: 40, claim: { agentId: agent.id } });
    expect(await deps.agents.get(agent.id)).toMatchObject({ activeClaims: 0 });
    expect(await deps.work.get(held.id)).toMatchObject({ status: 'completed' });
  });

  it('reports other content under an imported or registered id as a conflict and never overwrites it', async () => {
    const team = aTeam();
    const agent = anAgentRecord(team);
    const work = aWorkRecord(team);
    await importing({ agents: [agent], work: [work] });
    const [registered = ''] = await registerAgents(deps, 1, { team });
    const created = await createWork(deps, asAdmin(), { type: 'task', title: 'Made here', team });
    const stored = await deps.work.get(work.id);

    const reply = await importing({
      agents: [{ ...agent, capacity: 9 }, anAgentRecord(team, { id: registered })],
      work: [{ ...work, title: 'Renamed' }, aWorkRecord(team, { id: created.id })],
    });

    expect(reply.created).toEqual(counts(0, 0, 0));
    expect(reply.conflicts).toEqual([
      { kind: 'agents', id: agent.id, reason: expect.stringContaining('was imported with other content') },
      { kind: 'agents', id: registered, reason: expect.stringContaining('exists and was not imported') },
      { kind: 'work', id: work.id, reason: expect.stringContaining('was imported with other content') },
      { kind: 'work', id: created.id, reason: expect.stringContaining('exists and was not imported') },
    ]);
    expect(await deps.work.get(work.id)).toEqual(stored);
    expect(await deps.agents.get(agent.id)).toMatchObject({ capacity: 3 });
  });

  it('rejects bad records one by one with their reasons and imports the others', async () => {
    // Arrange
    const team = aTeam();
    const agent = anAgentRecord(team);
    const good = aWorkRecord(team);
    const body: ImportBody = {
      agents: [anAgentRecord(team, { capacity: 0, favouriteColour: 'blue' }), agent, 'not an object'],
      work: [
        good,
        aHeldRecord(team, 'nobody-registered-this'),
        aWorkRecord(team, { dependsOn: ['work_missing'] }),
        aWorkRecord(team, { status: 'claimed' }),
        aWorkRecord(team, { progress: 150 }),
      ],
      events: [{ at: 'yesterday', action: 'work.claimed', entityType: 'work', entityId: good.id }],
    };

    // Act
    const reply = await importing(body);

    // Assert
    expect(reply.created).toEqual(counts(1, 1, 0));
    expect(reply.rejected).toEqual([
      {
        kind: 'agents',
        index: 0,
        id: expect.any(String),
        reason: expect.stringMatching(/\/favouriteColour: is not a known field; \/capacity: must be >= 1/),
      },
      { kind: 'agents', index: 2, reason: '(record): must be object' },
      {
        kind: 'work',
        index: 1,
        id: expect.any(String),
        reason: 'claim holder nobody-registered-this is not registered (import the agent first)',
      },
      { kind: 'work', index: 2, id: expect.any(String), reason: 'unknown dependencies: work_missing' },
      {
        kind: 'work',
        index: 3,
        id: expect.any(String),
        reason: 'status claimed needs a claim {agentId, claimedAt}',
      },
      { kind: 'work', index: 4, id: expect.any(String), reason: '/progress: must be <= 100' },
      { kind: 'events', index: 0, id: good.id, reason: '/at: must match format "date-time"' },
    ]);
    const rejectedIds = (body.work ?? []).slice(1).map((record) => (record as { id: string }).id);
    expect(await deps.work.getMany(rejectedIds)).toEqual([]);
    expect(await deps.work.get(good.id)).toMatchObject({ status: 'ready' });
  });

  it('imports dependencies named in the same call first, blocked until they complete, and rejects a cycle', async () => {
    const team = aTeam();
    const first = aWorkRecord(team);
    const second = aWorkRecord(team, { dependsOn: [first.id] });
    const loopA = aWorkRecord(team, { id: `work_a_${unique()}` });
    const loopB = aWorkRecord(team, { dependsOn: [loopA.id] });
    Object.assign(loopA, { dependsOn: [loopB.id] });

    const reply = await importing({ work: [second, loopA, first, loopB] });

    expect(reply.created).toEqual(counts(0, 2, 0));
    expect(reply.rejected.map((entry) => entry.index)).toEqual([1, 3]);
    expect(await deps.work.get(second.id)).toMatchObject({ status: 'blocked', dependsOn: [first.id] });
    expect(await deps.work.get(first.id)).toMatchObject({ dependents: [second.id] });
  });

  it('keeps a retired agent retired and refuses claims for it', async () => {
    const team = aTeam();
    const retired = anAgentRecord(team, { status: 'retired' });

    const reply = await importing({ agents: [retired], work: [aHeldRecord(team, retired.id)] });

    expect(reply.created).toEqual(counts(1, 0, 0));
    expect(reply.rejected).toEqual([
      expect.objectContaining({
        kind: 'work',
        reason: `claim holder ${retired.id} is retired and takes no claims`,
      }),
    ]);
    expect(await getAgent(deps, asAdmin(), { id: retired.id })).toMatchObject({
      status: 'retired',
      activeClaims: 0,
    });
  });

  it('keeps history of items that do not exist, above every version, once', async () => {
    const entityId = `work_gone_${unique()}`;
    const event = {
      at: '2026-02-21T12:00:00Z',
      actorId: 'agent_x',
      action: 'work.completed',
      entityType: 'work',
      entityId,
    };

    const first = await importing({
      events: [event, { ...event, action: 'work.claimed', at: '2026-02-21T11:00:00Z' }],
    });
    const again = await importing({ events: [event] });

    expect(first.created).toEqual(counts(0, 0, 2));
    expect(again.unchanged).toEqual(counts(0, 0, 1));
    expect((await eventsOf(entityId)).map((stored) => [stored.action, stored.seq])).toEqual([
      ['work.completed', DETACHED_HISTORY_SEQ + 1],
      ['work.claimed', DETACHED_HISTORY_SEQ],
    ]);
    expect(await deps.work.get(entityId)).toBeUndefined();
  });

  it('creates each record once when the same import runs twice at the same moment', async () => {
    const team = aTeam();
    const agent = anAgentRecord(team, { capacity: 5 });
    const work = Array.from({ length: 5 }, () => aHeldRecord(team, agent.id));
    const events = work.map((record) => ({
      at: '2026-02-21T12:30:00Z',
      actorId: agent.id,
      action: 'work.claimed',
      entityType: 'work',
      entityId: record.id,
    }));

    const replies = await Promise.all([
      importing(structuredClone({ agents: [agent], work, events })),
      importing(structuredClone({ agents: [agent], work, events })),
    ]);

    const sum = (pick: (reply: ImportResult) => Record<string, number>) =>
      replies.reduce(
        (total, reply) => ({
          agents: total.agents + (pick(reply).agents ?? 0),
          work: total.work + (pick(reply).work ?? 0),
          events: total.events + (pick(reply).events ?? 0),
        }),
        counts(0, 0, 0),
      );
    expect(sum((reply) => reply.created)).toEqual(counts(1, 5, 5));
    expect(sum((reply) => reply.unchanged)).toEqual(counts(1, 5, 5));
    expect(await deps.agents.get(agent.id)).toMatchObject({ activeClaims: 5 });
    for (const record of work) {
      expect((await eventsOf(record.id)).map((event) => event.action)).toEqual([
        'work.claimed',
        'work.imported',
      ]);
    }
  });

  it('refuses a call of more than 500 records as a whole', async () => {
    const team = aTeam();
    const work = Array.from({ length: 501 }, () => aWorkRecord(team));

    await expect(importing({ work })).rejects.toThrow(ValidationError);
    expect(await deps.work.get(work[0]?.id ?? '')).toBeUndefined();
  });
});
