import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelWork } from '#app/use-cases/cancel-work';
import { claimWork } from '#app/use-cases/claim-work';
import { completeWork } from '#app/use-cases/complete-work';
import { createWork } from '#app/use-cases/create-work';
import { failWork } from '#app/use-cases/fail-work';
import { getWork } from '#app/use-cases/get-work';
import { reassignWork } from '#app/use-cases/reassign-work';
import { releaseWork } from '#app/use-cases/release-work';
import { reportProgress } from '#app/use-cases/report-progress';
import { retryWork } from '#app/use-cases/retry-work';
import {
  CapacityExceededError,
  ForbiddenError,
  InvalidStateError,
  NotFoundError,
  StaleClaimError,
  UnknownDependencyError,
} from '#core/errors';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { asAdmin, asAgent, aTeam, registerAgents, type UseCaseDeps, useCaseDeps } from './fixture';

let store: TestStore;
let deps: UseCaseDeps;

beforeAll(async () => {
  store = await createTestStore('uc-lifecycle');
  deps = useCaseDeps(store);
});

afterAll(async () => {
  await store.cleanup();
});

const setup = async (agentCount = 2) => {
  const team = aTeam();
  const agents = await registerAgents(deps, agentCount, { team, capacity: 2 });
  const item = await createWork(deps, asAdmin(), { type: 'task', title: 'Do it', team, maxAttempts: 2 });
  return { team, agents: agents as [string, string], item };
};

describe('the claim token', () => {
  it('answers stale_claim to a superseded token and changes nothing', async () => {
    const { agents, item } = await setup();
    const [a] = agents;
    const first = await claimWork(deps, asAgent(a), { id: item.id, agentId: a });
    const second = await claimWork(deps, asAgent(a), { id: item.id, agentId: a });
    expect(second.claim.token).not.toBe(first.claim.token);
    const before = await deps.work.get(item.id);

    await expect(
      reportProgress(deps, asAgent(a), { id: item.id, claimToken: first.claim.token, progress: 50 }),
    ).rejects.toThrow(StaleClaimError);
    await expect(
      completeWork(deps, asAgent(a), { id: item.id, claimToken: first.claim.token }),
    ).rejects.toThrow(
      expect.objectContaining({
        code: 'stale_claim',
        details: { status: 'claimed', holder: expect.objectContaining({ agentId: a }) },
      }),
    );

    expect(await deps.work.get(item.id)).toEqual(before);
    expect((await deps.agents.get(a))?.activeClaims).toBe(1);
  });

  it('answers stale_claim after the claim ended, and forbidden to the current token from another agent', async () => {
    const { agents, item } = await setup();
    const [a, b] = agents;
    const claim = await claimWork(deps, asAgent(a), { id: item.id, agentId: a });
    await expect(
      releaseWork(deps, asAgent(b), { id: item.id, claimToken: claim.claim.token }),
    ).rejects.toThrow(ForbiddenError);
    await releaseWork(deps, asAgent(a), { id: item.id, claimToken: claim.claim.token });
    await expect(
      failWork(deps, asAgent(a), { id: item.id, claimToken: claim.claim.token, reason: 'late' }),
    ).rejects.toThrow(expect.objectContaining({ code: 'stale_claim', details: { status: 'ready' } }));
  });
});

describe('a work item through its life', () => {
  it('goes claimed -> in_progress -> completed, freeing the holder', async () => {
    const { agents, item } = await setup();
    const [a] = agents;
    const claim = await claimWork(deps, asAgent(a), { id: item.id, agentId: a });
    const progressed = await reportProgress(deps, asAgent(a), {
      id: item.id,
      claimToken: claim.claim.token,
      progress: 40,
      note: 'halfway',
    });
    expect(progressed).toMatchObject({ status: 'in_progress', progress: 40, lastNote: 'halfway' });
    expect(JSON.stringify(progressed)).not.toContain(claim.claim.token);
    const done = await completeWork(deps, asAgent(a), {
      id: item.id,
      claimToken: claim.claim.token,
      result: { pr: 7 },
    });
    expect(done).toMatchObject({ status: 'completed', result: { pr: 7 }, completedAt: store.clock.iso() });
    expect((await deps.agents.get(a))?.activeClaims).toBe(0);
    const events = await deps.audit.list({ entityId: item.id, limit: 10 });
    expect(events.items.map((e) => [e.action, e.seq])).toEqual([
      ['work.completed', 4],
      ['work.progress', 3],
      ['work.claimed', 2],
      ['work.created', 1],
    ]);
    expect(JSON.stringify(events.items)).not.toContain(claim.claim.token);
  });

  it('escalates after maxAttempts retryable failures, and retry gives it a fresh budget', async () => {
    const { agents, item } = await setup();
    const [a] = agents;
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      const claim = await claimWork(deps, asAgent(a), { id: item.id, agentId: a });
      await failWork(deps, asAgent(a), {
        id: item.id,
        claimToken: claim.claim.token,
        reason: `try ${attempt}`,
      });
    }
    expect(await getWork(deps, asAdmin(), { id: item.id })).toMatchObject({
      status: 'escalated',
      attempts: 2,
    });
    expect((await deps.agents.get(a))?.activeClaims).toBe(0);
    expect(await retryWork(deps, asAdmin(), { id: item.id })).toMatchObject({ status: 'ready', attempts: 0 });
    await expect(retryWork(deps, asAdmin(), { id: item.id })).rejects.toThrow(InvalidStateError);
  });

  it('reassigns to another agent: the old token goes stale, capacity moves', async () => {
    const { agents, item } = await setup();
    const [a, b] = agents;
    const claim = await claimWork(deps, asAgent(a), { id: item.id, agentId: a });
    const moved = await reassignWork(deps, asAdmin(), { id: item.id, agentId: b });
    expect(moved.claim?.agentId).toBe(b);
    expect((await deps.agents.get(a))?.activeClaims).toBe(0);
    expect((await deps.agents.get(b))?.activeClaims).toBe(1);
    await expect(
      reportProgress(deps, asAgent(a), { id: item.id, claimToken: claim.claim.token, progress: 1 }),
    ).rejects.toThrow(StaleClaimError);
    const assignment = await deps.audit.list({ entityId: b, limit: 10 });
    expect(assignment.items[0]).toMatchObject({ action: 'assignment', after: { workId: item.id } });
  });

  /**
   * The deps with `race` run once, just before the first commit (another writer wins the race),
   * and the number of commits tried.
   */
  const losingFirstCommit = (race: () => Promise<unknown>) => {
    const commits = { tried: 0 };
    const racing: UseCaseDeps = {
      ...deps,
      uow: {
        commit: async (change) => {
          commits.tried += 1;
          if (commits.tried === 1) await race();
          await deps.uow.commit(change);
        },
      },
    };
    return { racing, commits };
  };

  it('reassigns after losing a race to the holder and the target: decides again on what they wrote', async () => {
    const { agents, item } = await setup();
    const [a, b] = agents;
    const claim = await claimWork(deps, asAgent(a), { id: item.id, agentId: a });
    const other = await createWork(deps, asAdmin(), { type: 'task', title: 'Other', team: item.team });
    const { racing, commits } = losingFirstCommit(async () => {
      await reportProgress(deps, asAgent(a), { id: item.id, claimToken: claim.claim.token, progress: 40 });
      await claimWork(deps, asAgent(b), { id: other.id, agentId: b });
    });

    const moved = await reassignWork(racing, asAdmin(), { id: item.id, agentId: b });

    expect(commits.tried).toBe(2);
    expect(moved).toMatchObject({ status: 'claimed', progress: 0, claim: { agentId: b } });
    const history = await deps.audit.list({ entityId: item.id, limit: 10 });
    expect(history.items.map((event) => event.action)).toContain('work.progress');
    expect((await deps.agents.get(a))?.activeClaims).toBe(0);
    expect((await deps.agents.get(b))?.activeClaims).toBe(2);
  });

  it('refuses a reassignment when the race left the target full, and changes nothing', async () => {
    const { agents, item } = await setup();
    const [a, b] = agents;
    await claimWork(deps, asAgent(a), { id: item.id, agentId: a });
    const fill = await Promise.all(
      [1, 2].map(() => createWork(deps, asAdmin(), { type: 'task', title: 'Fill', team: item.team })),
    );
    const { racing } = losingFirstCommit(async () => {
      for (const each of fill) await claimWork(deps, asAgent(b), { id: each.id, agentId: b });
    });

    await expect(reassignWork(racing, asAdmin(), { id: item.id, agentId: b })).rejects.toThrow(
      CapacityExceededError,
    );
    expect((await getWork(deps, asAdmin(), { id: item.id })).claim?.agentId).toBe(a);
    expect((await deps.agents.get(a))?.activeClaims).toBe(1);
  });

  it('lets the creator cancel, not another agent, and frees the holder', async () => {
    const { agents, team } = await setup();
    const [a, b] = agents;
    const mine = await createWork(deps, asAgent(a), { type: 'task', title: 'Mine', team });
    await claimWork(deps, asAgent(b), { id: mine.id, agentId: b });
    await expect(cancelWork(deps, asAgent(b), { id: mine.id })).rejects.toThrow(ForbiddenError);
    expect(await cancelWork(deps, asAgent(a), { id: mine.id, reason: 'obsolete' })).toMatchObject({
      status: 'cancelled',
      cancelReason: 'obsolete',
    });
    expect((await deps.agents.get(b))?.activeClaims).toBe(0);
  });

  it('answers not_found for an unknown item', async () => {
    await expect(getWork(deps, asAdmin(), { id: 'wi_missing' })).rejects.toThrow(NotFoundError);
  });
});

describe('dependencies', () => {
  it('keeps B blocked until A completes, then makes it ready', async () => {
    const { agents, team } = await setup(1);
    const [a] = agents;
    const first = await createWork(deps, asAdmin(), { type: 'task', title: 'A', team });
    const second = await createWork(deps, asAdmin(), {
      type: 'task',
      title: 'B',
      team,
      dependsOn: [first.id],
    });
    expect(second).toMatchObject({ status: 'blocked', blockedBy: [first.id] });
    await expect(claimWork(deps, asAgent(a), { id: second.id, agentId: a })).rejects.toThrow(
      expect.objectContaining({ code: 'not_claimable', details: { status: 'blocked' } }),
    );

    const claim = await claimWork(deps, asAgent(a), { id: first.id, agentId: a });
    await reportProgress(deps, asAgent(a), { id: first.id, claimToken: claim.claim.token, progress: 90 });
    expect((await getWork(deps, asAdmin(), { id: second.id })).status).toBe('blocked');
    await completeWork(deps, asAgent(a), { id: first.id, claimToken: claim.claim.token });

    expect(await getWork(deps, asAdmin(), { id: second.id })).toMatchObject({
      status: 'ready',
      blockedBy: [],
    });
  });

  it('refuses unknown dependencies, listing them', async () => {
    await expect(
      createWork(deps, asAdmin(), {
        type: 'task',
        title: 'X',
        team: aTeam(),
        dependsOn: ['wi_nope', 'wi_none'],
      }),
    ).rejects.toThrow(UnknownDependencyError);
  });
});
