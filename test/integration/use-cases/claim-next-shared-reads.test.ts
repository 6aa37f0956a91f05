import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClaimView } from '#app/schemas/views';
import { claimNext } from '#app/use-cases/claim-next';
import { claimWork } from '#app/use-cases/claim-work';
import { createWork } from '#app/use-cases/create-work';
import { UnavailableError } from '#core/errors';
import type { WorkItem } from '#core/model';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { recordStoreCalls } from '#test/support/store-calls';
import { asAdmin, asAgent, aTeam, registerAgents, type UseCaseDeps, useCaseDeps } from './fixture';

let store: TestStore;
let deps: UseCaseDeps;
const sent: string[] = [];

beforeAll(async () => {
  store = await createTestStore('uc-shared-reads');
  recordStoreCalls(store.client, sent);
  deps = useCaseDeps(store);
});

afterAll(async () => {
  await store.cleanup();
});

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));

/** `base` whose reads of the ready index go through `read` instead. */
const withReadyReads = (
  base: UseCaseDeps,
  read: (teams: readonly string[], limit: number) => Promise<WorkItem[]>,
): UseCaseDeps => ({
  ...base,
  work: Object.assign(Object.create(base.work) as UseCaseDeps['work'], { readyCandidates: read }),
});

describe('claimNext: claims in flight together share reads of the ready index', () => {
  it('sends fewer ready-index Queries than claims in flight, and each claim still takes its own of the most urgent items', async () => {
    const team = aTeam();
    const agents = await registerAgents(deps, 12, { team });
    const byValue = new Map<string, number>();
    for (let value = 0; value < 16; value += 1) {
      const item = await createWork(deps, asAdmin(), {
        type: 'task',
        title: `v${value}`,
        team,
        businessValue: value,
      });
      byValue.set(item.id, value);
    }
    const lostRaces: number[] = [];
    // The Queries one read of the ready index sends (one per partition of the team).
    sent.length = 0;
    await deps.work.readyCandidates([team], 25);
    const queriesPerRead = sent.length;
    sent.length = 0;

    const claims = await Promise.all(
      agents.map((agentId) =>
        claimNext(deps, asAgent(agentId), { agentId }, (count) => lostRaces.push(count)),
      ),
    );

    const queries = sent.filter((call) => call === 'QueryCommand Work').length;
    expect(queriesPerRead).toBeGreaterThan(0);
    expect(queries).toBeGreaterThan(0);
    // Fewer reads than claims (12 would send `12 * queriesPerRead`).
    expect(queries).toBeLessThan(agents.length * queriesPerRead);
    // Every claim took a different one of the 12 most urgent items, without a lost race.
    expect(claims.map((claim) => byValue.get(claim?.item.id ?? '')).sort((a = 0, b = 0) => b - a)).toEqual([
      15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4,
    ]);
    expect(lostRaces).toEqual(agents.map(() => 0));
  });

  it('reads the index afresh after a lost race instead of sharing a read that started before it', async () => {
    const team = aTeam();
    const [agentId = '', rival = '', other = ''] = await registerAgents(deps, 3, { team });
    const first = await createWork(deps, asAdmin(), { type: 'task', title: 'first', team });
    let second: { readonly id: string } | undefined;
    let readsAnswered = 0;
    const limits: number[] = [];
    const reading = withReadyReads(deps, async (teams, limit) => {
      limits.push(limit);
      const items = await deps.work.readyCandidates(teams, limit);
      readsAnswered += 1;
      // The other agent's read (the second) answers late, with what the index held when it ran.
      if (limits.length === 2) await sleep(300);
      return items;
    });
    let otherClaim: Promise<ClaimView | undefined> | undefined;
    const racing: UseCaseDeps = {
      ...reading,
      uow: {
        commit: async (change) => {
          const write = change.writes.find((each) => each.kind === 'work');
          if (write?.item.id === first.id && otherClaim === undefined) {
            // While the claim is writing: another agent's claim reads the index (`first` still
            // ready), then the rival takes `first` and a new item becomes ready.
            otherClaim = claimNext(racing, asAgent(other), { agentId: other });
            while (readsAnswered < 2) await sleep(2);
            await claimWork(deps, asAgent(rival), { id: first.id, agentId: rival });
            second = await createWork(deps, asAdmin(), { type: 'task', title: 'second', team });
          }
          await deps.uow.commit(change);
        },
      },
    };
    const lostRaces: number[] = [];

    const claim = await claimNext(racing, asAgent(agentId), { agentId }, (count) => lostRaces.push(count));
    await otherClaim;

    // Sharing the other agent's read would have offered only `first` again (tried, lost): 204.
    expect(claim?.item.id).toBe(second?.id);
    expect(lostRaces).toEqual([1]);
    expect(limits.length).toBeGreaterThanOrEqual(3);
  });

  it('fails every claim sharing a read the store did not answer with UnavailableError (503)', async () => {
    const team = aTeam();
    const agents = await registerAgents(deps, 6, { team });
    await createWork(deps, asAdmin(), { type: 'task', title: 'one', team });
    let reads = 0;
    const down = withReadyReads(deps, async () => {
      reads += 1;
      await sleep(150);
      throw new UnavailableError('store down');
    });

    const outcomes = await Promise.allSettled(
      agents.map((agentId) => claimNext(down, asAgent(agentId), { agentId })),
    );

    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThan(agents.length);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(UnavailableError);
    }
    const agentsAfter = await Promise.all(agents.map((id) => deps.agents.get(id)));
    expect(agentsAfter.map((agent) => agent?.activeClaims)).toEqual(agents.map(() => 0));
  });
});
