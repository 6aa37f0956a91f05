/**
 * Which ready item an agent asking for "the next one" tries, and in which order after it loses
 * races: the policy `claimNext` follows. Claiming itself (the state checks and the write) is
 * `claim.ts`.
 */
import type { Agent, WorkItem } from '../model';
import { missingCapabilities } from './claim';
import { WorkStatus } from './status';

/** After the first lost race, the next try is a random one of this many next candidates; the window doubles with each further loss. */
export const SPREAD_AFTER_LOSS = 5;
/** The window stops doubling after this many losses (5 * 2^10 candidates is more than any read holds). */
const MAX_DOUBLINGS = 10;

/** Whether the agent may take the item by type and capabilities (state is checked by the claim). */
export const fitsAgent = (item: WorkItem, agent: Agent, types: readonly string[] | undefined): boolean =>
  item.status === WorkStatus.Ready &&
  (types === undefined || types.includes(item.type)) &&
  missingCapabilities(item, agent).length === 0;

/** The first try is a random one of at most this many of the most urgent fitting candidates... */
export const FIRST_TRY_SPREAD = 4;
/** ...of those whose urgency now is within this many points of the most urgent one. */
export const FIRST_TRY_URGENCY_TOLERANCE = 1;

/**
 * How many of the first candidates (most urgent first) the first try chooses among: up to
 * `FIRST_TRY_SPREAD`, as long as each is within `FIRST_TRY_URGENCY_TOLERANCE` of the first. Agents
 * asking at once then spread over near-equal items from the start instead of all racing for the
 * single most urgent one, while an item clearly more urgent than the rest is still tried first.
 */
export const firstTryWindow = (candidates: readonly Pick<WorkItem, 'urgency'>[]): number => {
  const top = candidates[0]?.urgency;
  if (top === undefined) return 0;
  let window = 1;
  while (
    window < Math.min(candidates.length, FIRST_TRY_SPREAD) &&
    top - (candidates[window]?.urgency ?? Number.NEGATIVE_INFINITY) <= FIRST_TRY_URGENCY_TOLERANCE
  ) {
    window += 1;
  }
  return window;
};

/**
 * Index of the candidate to try next (`candidates` most urgent first): uncontended, a random one
 * of the `firstTryWindow`; after a lost race a random one of the next `SPREAD_AFTER_LOSS`,
 * doubling the window with every further loss, so a crowd of agents racing for the same top
 * items spreads out in a few rounds instead of colliding on the same handful again and again
 * (each lost race costs a whole transaction).
 * @param random a number in [0, 1), as the `Random` port gives
 */
export const nextCandidateIndex = (
  candidates: readonly Pick<WorkItem, 'urgency'>[],
  lostRaces: number,
  random: () => number,
): number => {
  const window =
    lostRaces === 0
      ? firstTryWindow(candidates)
      : Math.min(candidates.length, SPREAD_AFTER_LOSS * 2 ** Math.min(lostRaces - 1, MAX_DOUBLINGS));
  return Math.min(Math.floor(random() * window), Math.max(0, candidates.length - 1));
};
