import { assertActsAs } from '#core/authz';
import { DomainError, RateLimitedError } from '#core/errors';
import type { Agent, WorkItem } from '#core/model';
import { type Ports, WriteConflict } from '#core/ports';
import { rankByCurrentUrgency } from '#core/urgency';
import { assertCanTakeWork, claimWork as decideClaim, missingCapabilities } from '#core/work/claim';
import { WorkStatus } from '#core/work/status';
import type { RequestContext } from '../context';
import { presentClaim } from '../presenters';
import type { ClaimView } from '../schemas/views';
import type { ClaimNextBody } from '../schemas/work';
import { currentSettings, type SettingsDeps } from '../settings';
import { workContextOf } from './shared/context';
import { requireAgent } from './shared/lookups';
import { conflictsOn, MAX_DECISION_ATTEMPTS } from './shared/optimistic';

/** How many of the most urgent ready items one read of the ready index fetches. */
export const CANDIDATES_PER_READ = 25;
/** After the first lost race, the next try is a random one of this many next candidates; the window doubles with each further loss. */
export const SPREAD_AFTER_LOSS = 5;
/** Fresh reads of the ready index before giving up on a contended claim (429, retry shortly). */
export const MAX_CANDIDATE_READS = 12;

/** Whether the agent may take the item by type and capabilities (state is checked by the claim). */
export const fitsAgent = (item: WorkItem, agent: Agent, types: readonly string[] | undefined): boolean =>
  item.status === WorkStatus.Ready &&
  (types === undefined || types.includes(item.type)) &&
  missingCapabilities(item, agent).length === 0;

/**
 * Index of the candidate to try next: the most urgent while uncontended; after a lost race a
 * random one of the next `SPREAD_AFTER_LOSS`, doubling the window with every further loss, so a
 * crowd of agents racing for the same top items spreads out in a few rounds instead of colliding
 * on the same handful again and again (each lost race costs a whole transaction).
 */
export const nextCandidateIndex = (remaining: number, lostRaces: number, random: () => number): number => {
  if (lostRaces === 0) return 0;
  const window = Math.min(remaining, SPREAD_AFTER_LOSS * 2 ** Math.min(lostRaces - 1, 10));
  return Math.floor(random() * window);
};

/**
 * `POST /v1/work/claim-next`: claim the most urgent ready item the agent may take, or
 * `undefined` (204) when nothing fits.
 * 1. the agent may act only as itself (403); read it (404); it must not be retiring or full (409);
 * 2. read the top `CANDIDATES_PER_READ` ready items of its teams (default: its own team);
 * 3. keep those of the asked types whose capabilities it has, ordered by urgency now;
 * 4. try the first; a lost race (the item moved on) reads the index afresh and tries a random one
 *    of the next few, a window that doubles with each loss;
 *    a refused `activeClaims` guard re-reads the agent and stops when it is full or retiring
 *    (else tries the same item again, a bounded number of times);
 * 5. after `MAX_CANDIDATE_READS` reads that
 *    still found fitting items, answer 429 rather than a false "nothing fits".
 * @throws ForbiddenError, NotFoundError, AgentRetiringError, CapacityExceededError, RateLimitedError
 */
export const claimNext = async (
  deps: Pick<Ports, 'clock' | 'ids' | 'random' | 'work' | 'agents' | 'uow'> & SettingsDeps,
  ctx: RequestContext,
  input: ClaimNextBody,
): Promise<ClaimView | undefined> => {
  assertActsAs(ctx.principal, input.agentId);
  const [settings, agentAsRead] = await Promise.all([
    currentSettings(deps),
    requireAgent(deps, input.agentId),
  ]);
  let agent = agentAsRead;
  assertCanTakeWork(agent);
  const wctx = workContextOf(deps, ctx, settings);
  const teams = input.teams ?? [agent.team];
  const token = deps.ids.secret();
  const tried = new Set<string>();
  let lostRaces = 0;
  let agentRereads = 0;

  for (let read = 0; read < MAX_CANDIDATE_READS; read += 1) {
    const current = agent;
    const fetched = await deps.work.readyCandidates(teams, CANDIDATES_PER_READ);
    const candidates = rankByCurrentUrgency(
      fetched.filter((item) => !tried.has(item.id) && fitsAgent(item, current, input.types)),
      wctx.now,
      settings.urgencyWeights,
    );
    if (candidates.length === 0) return undefined;
    while (candidates.length > 0) {
      const [candidate] = candidates.splice(
        nextCandidateIndex(candidates.length, lostRaces, () => deps.random.next()),
        1,
      );
      if (!candidate) break;
      tried.add(candidate.id);
      try {
        const decision = decideClaim(candidate, agent, token, wctx);
        await deps.uow.commit(decision.change);
        return presentClaim(decision.item, wctx.now, settings);
      } catch (error) {
        const isAgentGuard = error instanceof WriteConflict && conflictsOn(error, ['agentClaims'], agent.id);
        if (isAgentGuard && agentRereads < MAX_DECISION_ATTEMPTS) {
          agentRereads += 1;
          agent = await requireAgent(deps, agent.id);
          assertCanTakeWork(agent);
          candidates.unshift(candidate);
          tried.delete(candidate.id);
          continue;
        }
        if (!(error instanceof WriteConflict || error instanceof DomainError)) throw error;
        lostRaces += 1;
        // The rest of this read is stale now (whoever won took some of it): read afresh.
        break;
      }
    }
  }
  throw new RateLimitedError(1, 'Other agents took every candidate first; retry shortly.');
};
