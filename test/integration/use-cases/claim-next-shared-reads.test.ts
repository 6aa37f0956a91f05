import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClaimView } from '#app/schemas/views';
import { CANDIDATES_PER_READ, claimNext } from '#app/use-cases/claim-next';
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

/**
 * Starts a claim for each of `agents` and holds each one's write until `release`: claims of the
 * team in flight meanwhile, each having read the index. `release` lets them end and answers them.
 */
const holdClaims = async (agents: readonly string[]) => {
  let open = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let waiting = 0;
  const held: UseCaseDeps = {
    ...deps,
    uow: {
      commit: async (change) => {
        waiting += 1;
        await gate;
        await deps.uow.commit(change);
      },
    },
  };
  const claims = agents.map((agentId) => claimNext(held, asAgent(agentId), { agentId }));
  while (waiting < agents.length) await sleep(2);
  return {
    release: () => {
      open();
      return Promise.all(claims);
    },
  };
};

describe('claimNext: claims in flight together share reads of the ready index', () => {
  it('lets claims that start while a read of their team is in flight share it when it is as large as their own would be, each taking its own item', async () => {
    const team = aTeam();
    const [x = '', ...rest] = await registerAgents(deps, 12, { team });
    const holders = rest.slice(0, 6);
    const joiners = rest.slice(6);
    const byValue = new Map<string, number>();
    // Urgencies 6 points apart: each claim's first try is the most urgent item free to it.
    for (let value = 0; value < 16; value += 1) {
      const item = await createWork(deps, asAdmin(), {
        type: 'task',
        title: `v${value}`,
        team,
        businessValue: value * 6,
      });
      byValue.set(item.id, value);
    }
    // Six claims in flight: the next claim reads 25 + 6 items.
    const holding = await holdClaims(holders);
    let answer = () => {};
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const limits: number[] = [];
    let tokensMade = 0;
    const reading = withReadyReads(deps, async (teams, limit) => {
      limits.push(limit);
      const items = await deps.work.readyCandidates(teams, limit);
      await answered;
      return items;
    });
    const counting: UseCaseDeps = {
      ...reading,
      // A claim makes its claim token just before it asks for its first read, in the same turn.
      ids: Object.assign(Object.create(deps.ids) as UseCaseDeps['ids'], {
        secret: () => {
          tokensMade += 1;
          return deps.ids.secret();
        },
      }),
    };
    const lostRaces: number[] = [];
    const claim = (agentId: string) =>
      claimNext(counting, asAgent(agentId), { agentId }, (count) => lostRaces.push(count));
    sent.length = 0;

    const first = claim(x);
    while (limits.length < 1) await sleep(2);
    // The six end while the read is in flight: the claims starting now would read 25 + 1..5
    // items, and the read in flight (25 + 6) is large enough for them all.
    const heldClaims = await holding.release();
    const later = joiners.map(claim);
    while (tokensMade < 1 + joiners.length) await sleep(2);
    answer();
    const claims = [...heldClaims, await first, ...(await Promise.all(later))];

    expect(limits).toEqual([CANDIDATES_PER_READ + holders.length]);
    // The claims sharing the read sent one read's Queries (one per partition of the team).
    expect(sent.filter((call) => call === 'QueryCommand Work')).toHaveLength(store.readyShards);
    // Every claim took a different one of the 12 most urgent items, without a lost race.
    expect(claims.map((each) => byValue.get(each?.item.id ?? '')).sort((a = 0, b = 0) => b - a)).toEqual([
      15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4,
    ]);
    expect(lostRaces).toEqual([0, 0, 0, 0, 0, 0]);
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
    const agents = await registerAgents(deps, 8, { team });
    for (let i = 0; i < 8; i += 1)
      await createWork(deps, asAdmin(), { type: 'task', title: `item ${i}`, team });
    // Four claims in flight: each claim starting now reads 25 + 4 items, enough for five sharing.
    const holding = await holdClaims(agents.slice(0, 4));
    const sharing = agents.slice(4);
    let reads = 0;
    const down = withReadyReads(deps, async () => {
      reads += 1;
      await sleep(150);
      throw new UnavailableError('store down');
    });

    // Asking for their team, the claims read the index as they start, beside their agent reads.
    const outcomes = await Promise.allSettled(
      sharing.map((agentId) => claimNext(down, asAgent(agentId), { agentId, teams: [team] })),
    );
    await holding.release();

    expect(reads).toBe(1);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(UnavailableError);
    }
    const agentsAfter = await Promise.all(sharing.map((id) => deps.agents.get(id)));
    expect(agentsAfter.map((agent) => agent?.activeClaims)).toEqual(sharing.map(() => 0));
  });
});
