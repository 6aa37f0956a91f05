import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClaimView } from '#app/schemas/views';
import { CANDIDATES_PER_READ, claimNext, MAX_CANDIDATE_READS } from '#app/use-cases/claim-next';
import { claimWork } from '#app/use-cases/claim-work';
import { createWork } from '#app/use-cases/create-work';
import { AlreadyClaimedError, CapacityExceededError, RateLimitedError, UnavailableError } from '#core/errors';
import { CONTENTION_HINT_TTL_MS, MAX_LOSSES_PER_READ, SPREAD_AFTER_LOSS } from '#core/work/claim-policy';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { asAdmin, asAgent, aTeam, registerAgents, type UseCaseDeps, useCaseDeps } from './fixture';

let store: TestStore;
let deps: UseCaseDeps;

beforeAll(async () => {
  store = await createTestStore('uc-race');
  deps = useCaseDeps(store);
});

afterAll(async () => {
  await store.cleanup();
});

describe('claimWork under contention', () => {
  it('lets exactly one of 30 agents claiming one item at once win; the 29 others get already_claimed naming it', async () => {
    const team = aTeam();
    const agents = await registerAgents(deps, 30, { team });
    const item = await createWork(deps, asAdmin(), { type: 'task', title: 'Contended', team });

    const outcomes = await Promise.allSettled(
      agents.map((agentId) => claimWork(deps, asAgent(agentId), { id: item.id, agentId })),
    );

    const wins = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const losses = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(wins).toHaveLength(1);
    const winner = wins[0]?.item.claim?.agentId;
    expect(agents).toContain(winner);
    expect(losses).toHaveLength(29);
    for (const loss of losses) {
      expect(loss).toBeInstanceOf(AlreadyClaimedError);
      expect((loss as AlreadyClaimedError).details).toMatchObject({
        holder: { agentId: winner, status: 'active' },
      });
    }
    const stored = await deps.work.get(item.id);
    expect(stored).toMatchObject({
      status: 'claimed',
      version: 2,
      claim: { agentId: winner, token: wins[0]?.claim.token },
    });
    const holders = await Promise.all(agents.map((id) => deps.agents.get(id)));
    expect(holders.map((a) => a?.activeClaims ?? 0).reduce((sum, n) => sum + n, 0)).toBe(1);
  });
});

describe('claimNext under contention', () => {
  it('lets 20 agents of capacity 2 drain 40 items: each item claimed exactly once, no agent above capacity', async () => {
    const team = aTeam();
    const agents = await registerAgents(deps, 20, { team, capacity: 2 });
    for (let i = 0; i < 40; i += 1) {
      await createWork(deps, asAdmin(), { type: 'task', title: `Item ${i}`, team, businessValue: i });
    }

    const claims: ClaimView[] = [];
    const drain = async (agentId: string) => {
      for (;;) {
        try {
          const claim = await claimNext(deps, asAgent(agentId), { agentId });
          if (!claim) return;
          claims.push(claim);
        } catch (error) {
          if (error instanceof CapacityExceededError) return;
          throw error;
        }
      }
    };
    // A claim-next that finds only lost races answers "nothing"; a second pass picks up any leftover.
    for (let pass = 0; pass < 3 && claims.length < 40; pass += 1) await Promise.all(agents.map(drain));

    const claimedIds = claims.map((c) => c.item.id);
    expect(new Set(claimedIds).size).toBe(claimedIds.length);
    expect(claimedIds).toHaveLength(40);
    const perAgent = new Map<string, number>();
    for (const claim of claims) {
      const holder = claim.item.claim?.agentId ?? '';
      perAgent.set(holder, (perAgent.get(holder) ?? 0) + 1);
    }
    expect(Math.max(...perAgent.values())).toBeLessThanOrEqual(2);
    for (const agentId of agents) {
      const agent = await deps.agents.get(agentId);
      expect(agent?.activeClaims).toBe(perAgent.get(agentId) ?? 0);
      expect(agent?.activeClaims).toBeLessThanOrEqual(2);
    }
    const ready = await deps.work.list({ team, status: 'ready', limit: 50 });
    expect(ready.items).toEqual([]);
  });

  it('takes the most urgent item first when uncontended, and answers nothing when nothing fits', async () => {
    const team = aTeam();
    const [agentId = ''] = await registerAgents(deps, 1, { team, capabilities: ['go'], capacity: 2 });
    await createWork(deps, asAdmin(), { type: 'task', title: 'low', team, priority: 'low' });
    const top = await createWork(deps, asAdmin(), {
      type: 'task',
      title: 'critical',
      team,
      priority: 'critical',
    });
    await createWork(deps, asAdmin(), {
      type: 'task',
      title: 'needs rust',
      team,
      priority: 'critical',
      requiredCapabilities: ['rust'],
    });

    const first = await claimNext(deps, asAgent(agentId), { agentId });
    expect(first?.item.id).toBe(top.id);
    expect(first?.claim.token).toEqual(expect.any(String));

    const other = await claimNext(deps, asAgent(agentId), { agentId, types: ['review'] });
    expect(other).toBeUndefined();
  });

  /** The deps with `race` run before each commit, given the item the commit claims. */
  const racingBeforeCommit = (race: (workId: string, attempt: number) => Promise<unknown>) => {
    let attempt = 0;
    const racing: UseCaseDeps = {
      ...deps,
      uow: {
        commit: async (change) => {
          attempt += 1;
          const write = change.writes.find((each) => each.kind === 'work');
          if (write?.kind === 'work') await race(write.item.id, attempt);
          await deps.uow.commit(change);
        },
      },
    };
    return racing;
  };

  it('takes another item after losing the first to another agent', async () => {
    const team = aTeam();
    const [agentId = '', rival = ''] = await registerAgents(deps, 2, { team, capacity: 2 });
    const top = await createWork(deps, asAdmin(), { type: 'task', title: 'top', team, priority: 'critical' });
    const next = await createWork(deps, asAdmin(), { type: 'task', title: 'next', team, priority: 'low' });
    const racing = racingBeforeCommit(async (workId, attempt) => {
      if (attempt === 1) await claimWork(deps, asAgent(rival), { id: workId, agentId: rival });
    });

    const lostRaces: number[] = [];

    const claim = await claimNext(racing, asAgent(agentId), { agentId }, (count) => lostRaces.push(count));

    expect(claim?.item.id).toBe(next.id);
    expect((await deps.work.get(top.id))?.claim?.agentId).toBe(rival);
    expect((await deps.agents.get(agentId))?.activeClaims).toBe(1);
    expect(lostRaces).toEqual([1]);
  });

  it('reports no lost race for an uncontended claim nor for "nothing fits", once per call', async () => {
    const team = aTeam();
    const [agentId = ''] = await registerAgents(deps, 1, { team, capacity: 2 });
    await createWork(deps, asAdmin(), { type: 'task', title: 'only', team });
    const lostRaces: number[] = [];
    const report = (count: number) => lostRaces.push(count);

    const claim = await claimNext(deps, asAgent(agentId), { agentId }, report);
    const nothing = await claimNext(deps, asAgent(agentId), { agentId }, report);

    expect(claim).toBeDefined();
    expect(nothing).toBeUndefined();
    expect(lostRaces).toEqual([0, 0]);
  });

  it('re-reads the agent when its own claims changed meanwhile and tries the same item again', async () => {
    const team = aTeam();
    const [agentId = ''] = await registerAgents(deps, 1, { team, capacity: 2 });
    const top = await createWork(deps, asAdmin(), { type: 'task', title: 'top', team, priority: 'critical' });
    const elsewhere = await createWork(deps, asAdmin(), { type: 'task', title: 'other', team: aTeam() });
    const racing = racingBeforeCommit(async (_workId, attempt) => {
      if (attempt === 1) await claimWork(deps, asAgent(agentId), { id: elsewhere.id, agentId });
    });

    const claim = await claimNext(racing, asAgent(agentId), { agentId });

    expect(claim?.item.id).toBe(top.id);
    expect((await deps.agents.get(agentId))?.activeClaims).toBe(2);
  });

  it('answers capacity_exceeded when the agent filled up meanwhile, leaving the item ready', async () => {
    const team = aTeam();
    const [agentId = ''] = await registerAgents(deps, 1, { team, capacity: 1 });
    const top = await createWork(deps, asAdmin(), { type: 'task', title: 'top', team });
    const elsewhere = await createWork(deps, asAdmin(), { type: 'task', title: 'other', team: aTeam() });
    const racing = racingBeforeCommit(async (_workId, attempt) => {
      if (attempt === 1) await claimWork(deps, asAgent(agentId), { id: elsewhere.id, agentId });
    });

    await expect(claimNext(racing, asAgent(agentId), { agentId })).rejects.toThrow(CapacityExceededError);
    expect((await deps.work.get(top.id))?.status).toBe('ready');
  });

  it('answers rate_limited after every read lost its races, never a false "nothing fits"', async () => {
    const team = aTeam();
    const lossesAllowed = MAX_CANDIDATE_READS * MAX_LOSSES_PER_READ;
    const [agentId = '', rival = ''] = await registerAgents(deps, 2, { team, capacity: lossesAllowed + 1 });
    for (let i = 0; i < lossesAllowed + 1; i += 1) {
      await createWork(deps, asAdmin(), { type: 'task', title: `item ${i}`, team });
    }
    const racing = racingBeforeCommit((workId) =>
      claimWork(deps, asAgent(rival), { id: workId, agentId: rival }),
    );

    const lostRaces: number[] = [];

    await expect(
      claimNext(racing, asAgent(agentId), { agentId }, (count) => lostRaces.push(count)),
    ).rejects.toThrow(RateLimitedError);
    expect((await deps.agents.get(rival))?.activeClaims).toBe(lossesAllowed);
    expect((await deps.agents.get(agentId))?.activeClaims).toBe(0);
    expect(lostRaces).toEqual([lossesAllowed]);
  });

  /** `base` with its reads of the ready index counted. */
  const countingReads = (base: UseCaseDeps) => {
    let reads = 0;
    const counted: UseCaseDeps = {
      ...base,
      work: Object.assign(Object.create(base.work) as UseCaseDeps['work'], {
        readyCandidates: (teams: readonly string[], limit: number) => {
          reads += 1;
          return base.work.readyCandidates(teams, limit);
        },
      }),
    };
    return { deps: counted, reads: () => reads };
  };

  it('after a lost race tries another item of the same read before reading the index again', async () => {
    const team = aTeam();
    const [agentId = '', rival = ''] = await registerAgents(deps, 2, { team, capacity: 5 });
    for (let i = 0; i < 4; i += 1) {
      await createWork(deps, asAdmin(), { type: 'task', title: `item ${i}`, team });
    }
    const racing = racingBeforeCommit(async (workId, attempt) => {
      if (attempt < MAX_LOSSES_PER_READ)
        await claimWork(deps, asAgent(rival), { id: workId, agentId: rival });
    });
    const counted = countingReads(racing);

    const claim = await claimNext(counted.deps, asAgent(agentId), { agentId, teams: [team] });

    expect(claim?.item.claim?.agentId).toBe(agentId);
    expect(counted.reads()).toBe(1);
    expect((await deps.agents.get(rival))?.activeClaims).toBe(MAX_LOSSES_PER_READ - 1);
  });

  it('reads the index afresh once one read has lost its most races', async () => {
    const team = aTeam();
    const [agentId = '', rival = ''] = await registerAgents(deps, 2, { team, capacity: 5 });
    for (let i = 0; i < 4; i += 1) {
      await createWork(deps, asAdmin(), { type: 'task', title: `item ${i}`, team });
    }
    const racing = racingBeforeCommit(async (workId, attempt) => {
      if (attempt <= MAX_LOSSES_PER_READ)
        await claimWork(deps, asAgent(rival), { id: workId, agentId: rival });
    });
    const counted = countingReads(racing);

    const claim = await claimNext(counted.deps, asAgent(agentId), { agentId, teams: [team] });

    expect(claim?.item.claim?.agentId).toBe(agentId);
    expect(counted.reads()).toBe(2);
    expect((await deps.agents.get(rival))?.activeClaims).toBe(MAX_LOSSES_PER_READ);
  });

  /** Ten low-priority items of business value 0, 10, ..., 90 in a new team; their values by id. */
  const tenByValue = async (team: string) => {
    const byValue = new Map<string, number>();
    for (let value = 0; value < 100; value += 10) {
      const item = await createWork(deps, asAdmin(), {
        type: 'task',
        title: `value ${value}`,
        team,
        priority: 'low',
        businessValue: value,
      });
      byValue.set(item.id, value);
    }
    return (claim: ClaimView | undefined) => byValue.get(claim?.item.id ?? '');
  };
  /** The use-case dependencies with a random source that always takes the last of the window. */
  const lastOfWindow = (): UseCaseDeps => ({ ...deps, random: { next: () => 0.99 } });

  it('spreads the first try of the next claim of a team whose last claim lost a race, and narrows back to the most urgent over four clean wins', async () => {
    const team = aTeam();
    const [first = '', rival = '', ...others] = await registerAgents(deps, 7, { team });
    const businessValueOf = await tenByValue(team);
    const racing = racingBeforeCommit(async (workId, attempt) => {
      if (attempt === 1) await claimWork(deps, asAgent(rival), { id: workId, agentId: rival });
    });

    // Loses the most urgent (90) to the rival, then takes the fifth of the rest.
    const contended = await claimNext({ ...racing, random: lastOfWindow().random }, asAgent(first), {
      agentId: first,
    });
    // Uncontended itself, but the team's last claim lost a race: the first try spreads over five
    // and reads as many more items as it spreads over; every clean win after it narrows the
    // window by a quarter of a loss (5, 4, 3 candidates) until the most urgent comes first again.
    const limits: number[] = [];
    const counting: UseCaseDeps = {
      ...lastOfWindow(),
      work: Object.assign(Object.create(deps.work) as UseCaseDeps['work'], {
        readyCandidates: (teams: readonly string[], limit: number) => {
          limits.push(limit);
          return deps.work.readyCandidates(teams, limit);
        },
      }),
    };
    const after: (number | undefined)[] = [];
    for (const agentId of others) {
      after.push(businessValueOf(await claimNext(counting, asAgent(agentId), { agentId })));
    }

    expect(businessValueOf(contended)).toBe(40);
    // Left before each: 80 70 60 50 30 ... (30: fifth), 80 70 60 50 20 ... (20: fifth of 5),
    // 80 70 60 50 10 ... (50: fourth of 4), 80 70 60 10 ... (60: third of 3), then strict (80).
    expect(after).toEqual([30, 20, 50, 60, 80]);
    expect(limits).toEqual([
      CANDIDATES_PER_READ + SPREAD_AFTER_LOSS,
      CANDIDATES_PER_READ + 5,
      CANDIDATES_PER_READ + 4,
      CANDIDATES_PER_READ + 3,
      CANDIDATES_PER_READ,
    ]);
  });

  it('lets claims in flight at once in one process leave each other the items they are trying: no lost race, the most urgent taken', async () => {
    const team = aTeam();
    const agents = await registerAgents(deps, 8, { team });
    const businessValueOf = await tenByValue(team);
    const limits: number[] = [];
    const counting: UseCaseDeps = {
      ...deps,
      work: Object.assign(Object.create(deps.work) as UseCaseDeps['work'], {
        readyCandidates: (teams: readonly string[], limit: number) => {
          limits.push(limit);
          return deps.work.readyCandidates(teams, limit);
        },
      }),
    };
    const lostRaces: number[] = [];

    const claims = await Promise.all(
      agents.map((agentId) =>
        claimNext(counting, asAgent(agentId), { agentId }, (count) => lostRaces.push(count)),
      ),
    );

    // Ten items of distinct urgency: every claim went for the most urgent one nobody else was trying.
    expect(claims.map(businessValueOf).sort((a = 0, b = 0) => b - a)).toEqual([
      90, 80, 70, 60, 50, 40, 30, 20,
    ]);
    expect(lostRaces).toEqual(agents.map(() => 0));
    // Each read fetched one more candidate for every other claim of the team already in flight;
    // none shared an earlier read, smaller than its own would be.
    expect(limits).toEqual(agents.map((_, index) => CANDIDATES_PER_READ + index));
  });

  it('keeps strict urgency order for claims one after another in one process', async () => {
    const team = aTeam();
    const agents = await registerAgents(deps, 3, { team });
    const businessValueOf = await tenByValue(team);

    const taken: (number | undefined)[] = [];
    for (const agentId of agents)
      taken.push(businessValueOf(await claimNext(deps, asAgent(agentId), { agentId })));

    expect(taken).toEqual([90, 80, 70]);
  });

  it(`keeps strict urgency order for a team whose last lost race is older than ${CONTENTION_HINT_TTL_MS} ms`, async () => {
    const team = aTeam();
    const [first = '', rival = '', later = '', soon = ''] = await registerAgents(deps, 4, { team });
    const businessValueOf = await tenByValue(team);
    const racing = racingBeforeCommit(async (workId, attempt) => {
      if (attempt === 1) await claimWork(deps, asAgent(rival), { id: workId, agentId: rival });
    });
    const at = (ms: number): UseCaseDeps['clock'] => ({
      now: () => new Date(store.clock.now().getTime() + ms),
    });

    const contended = await claimNext({ ...racing, random: lastOfWindow().random }, asAgent(first), {
      agentId: first,
    });
    // Within the hint's lifetime the first try still spreads; past it, the most urgent comes first.
    const stillSpread = await claimNext(
      { ...lastOfWindow(), clock: at(CONTENTION_HINT_TTL_MS - 1) },
      asAgent(soon),
      { agentId: soon },
    );
    const strict = await claimNext(
      { ...lastOfWindow(), clock: at(2 * CONTENTION_HINT_TTL_MS) },
      asAgent(later),
      { agentId: later },
    );

    expect(businessValueOf(contended)).toBe(40);
    expect(businessValueOf(stillSpread)).toBe(30);
    expect(businessValueOf(strict)).toBe(80);
  });

  it('ends the call on an outage rather than trying other items', async () => {
    const team = aTeam();
    const [agentId = ''] = await registerAgents(deps, 1, { team, capacity: 2 });
    await createWork(deps, asAdmin(), { type: 'task', title: 'one', team });
    await createWork(deps, asAdmin(), { type: 'task', title: 'two', team });
    let commits = 0;
    const down: UseCaseDeps = {
      ...deps,
      uow: {
        commit: async () => {
          commits += 1;
          throw new UnavailableError('store down');
        },
      },
    };

    const lostRaces: number[] = [];

    await expect(
      claimNext(down, asAgent(agentId), { agentId }, (count) => lostRaces.push(count)),
    ).rejects.toThrow(UnavailableError);
    expect(commits).toBe(1);
    expect(lostRaces).toEqual([0]);
  });
});
