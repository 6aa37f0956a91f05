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

/**
 * Index of the candidate to try next: the most urgent while uncontended; after a lost race a
 * random one of the next `SPREAD_AFTER_LOSS`, doubling the window with every further loss, so a
 * crowd of agents racing for the same top items spreads out in a few rounds instead of colliding
 * on the same handful again and again (each lost race costs a whole transaction).
 * @param random a number in [0, 1), as the `Random` port gives
 */
export const nextCandidateIndex = (remaining: number, lostRaces: number, random: () => number): number => {
  if (lostRaces === 0) return 0;
  const window = Math.min(remaining, SPREAD_AFTER_LOSS * 2 ** Math.min(lostRaces - 1, MAX_DOUBLINGS));
  return Math.floor(random() * window);
};
