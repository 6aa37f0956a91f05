/**
 * Which ready item an agent asking for "the next one" tries, and in which order after it loses
 * races: the policy `claimNext` follows. Claiming itself (the state checks and the write) is
 * `claim.ts`.
 */
import type { Agent, WorkItem } from '../model';
import { missingCapabilities } from './claim';
import { WorkStatus } from './status';

/** After the first lost race, the next try is a random one of at least this many next candidates; the window doubles with each further loss. */
export const SPREAD_AFTER_LOSS = 5;
/** The window stops doubling after this many losses (5 * 2^10 candidates is more than any read holds). */
const MAX_DOUBLINGS = 10;

/**
 * How many candidates a claim that lost `losses` races (possibly a fraction, carried ones
 * included) spreads over: `SPREAD_AFTER_LOSS` doubled with every loss but the first, rounded up.
 */
const spreadAfter = (losses: number): number =>
  Math.ceil(SPREAD_AFTER_LOSS * 2 ** Math.min(losses - 1, MAX_DOUBLINGS));

/** Whether the agent may take the item by type and capabilities (state is checked by the claim). */
export const fitsAgent = (item: WorkItem, agent: Agent, types: readonly string[] | undefined): boolean =>
  item.status === WorkStatus.Ready &&
  (types === undefined || types.includes(item.type)) &&
  missingCapabilities(item, agent).length === 0;

/** The first try is a random one of the candidates whose urgency now is within this many points of the most urgent one. */
export const FIRST_TRY_URGENCY_TOLERANCE = 1;

/**
 * How many of the first candidates (most urgent first) are near-equal: every one within
 * `FIRST_TRY_URGENCY_TOLERANCE` of the first, however many of the read that is. Agents asking at
 * once then spread over all the near-equal items they read instead of racing for the same few,
 * while an item clearly more urgent than the rest is still tried first.
 */
export const firstTryWindow = (candidates: readonly Pick<WorkItem, 'urgency'>[]): number => {
  const top = candidates[0]?.urgency;
  if (top === undefined) return 0;
  let window = 1;
  while (
    window < candidates.length &&
    top - (candidates[window]?.urgency ?? Number.NEGATIVE_INFINITY) <= FIRST_TRY_URGENCY_TOLERANCE
  ) {
    window += 1;
  }
  return window;
};

/**
 * Index of the candidate to try next (`candidates` most urgent first, those already tried
 * removed): uncontended, a random one of the `firstTryWindow`; after lost races a random one of
 * the larger of that window and `SPREAD_AFTER_LOSS` doubled with every loss but the first, so a
 * crowd of agents racing for the same top items spreads out in a few rounds instead of colliding
 * on the same handful again and again (each lost race costs a whole transaction).
 * Candidates `taken` says are being taken already (another claim of the same process is trying
 * them, or the copy read is one whose version has moved on) are left to the last: the window is
 * laid over the others, in the same order, and a taken one is tried only when no other is left.
 * @param lostRaces the races this claim lost plus those carried over (`nextCarriedLosses`, possibly a fraction)
 * @param random a number in [0, 1), as the `Random` port gives
 * @param taken @default none is
 */
export const nextCandidateIndex = <C extends Pick<WorkItem, 'urgency'>>(
  candidates: readonly C[],
  lostRaces: number,
  random: () => number,
  taken: (candidate: C) => boolean = () => false,
): number => {
  const free: number[] = [];
  candidates.forEach((candidate, index) => {
    if (!taken(candidate)) free.push(index);
  });
  if (free.length > 0 && free.length < candidates.length) {
    const pick = nextCandidateIndex(
      free.map((index) => candidates[index] as C),
      lostRaces,
      random,
    );
    return free[pick] ?? 0;
  }
  const nearEqual = firstTryWindow(candidates);
  const window =
    lostRaces <= 0 ? nearEqual : Math.max(nearEqual, Math.min(candidates.length, spreadAfter(lostRaces)));
  return Math.min(Math.floor(random() * window), Math.max(0, candidates.length - 1));
};

/** Lost races one read of the ready index may cost before the next try reads it afresh. */
export const MAX_LOSSES_PER_READ = 2;

/**
 * Whether the next try after a lost race reads the ready index afresh rather than trying another
 * candidate of the same read: the winner took one item, not the read, so another untried one is
 * tried first, until the read is exhausted or has cost `MAX_LOSSES_PER_READ` lost races (by then
 * it is likely stale: others are taking its items too).
 */
export const readAfresh = (candidatesLeft: number, lossesThisRead: number): boolean =>
  candidatesLeft === 0 || lossesThisRead >= MAX_LOSSES_PER_READ;

/** Most lost races a team's recent claims carry over to its next claim as a wider first try (a window of 320, `SPREAD_AFTER_LOSS * 2^6`). */
export const MAX_CARRIED_LOSSES = 7;

/** How much of one carried loss a claim won at its first try takes off. */
export const CARRIED_LOSS_DECAY = 0.25;

/**
 * The losses the next claim of a team starts with (its first try then spreads as if it had lost
 * that many races already), from those the last claim started with (`carried`) and lost
 * (`lostRaces`): a claim that lost races adds them, one that won at its first try takes
 * `CARRIED_LOSS_DECAY` off. The window then settles where claims lose about a fifth of a race
 * each (a loss adds a whole one, four clean wins take it off again), not half of one,
 * so crowds asking for the same team's items spread out from the first try while they keep
 * losing, and an uncontended team is back to strict urgency order after a few clean wins (or
 * once the hint is stale, `CONTENTION_HINT_TTL_MS`). At most `MAX_CARRIED_LOSSES`.
 */
export const nextCarriedLosses = (carried: number, lostRaces: number): number =>
  Math.min(
    MAX_CARRIED_LOSSES,
    Math.max(0, lostRaces === 0 ? carried - CARRIED_LOSS_DECAY : carried + lostRaces),
  );

/**
 * How long a team's carried losses count after the claim that left them: a team nobody claimed
 * from for this long is treated as uncontended (strict urgency order) whatever its last claims lost.
 */
export const CONTENTION_HINT_TTL_MS = 5_000;

/**
 * Most extra candidates a claim reads for the other claims of the same teams in flight in its
 * process. Every item read costs the store (a 100-item read of the ready index costs DynamoDB
 * Local about 2.5 times a 25-item one, `bench/store-cost.ts`), and with a thousand claims in
 * flight a bound of 320 had each claim read about 300.
 */
export const MAX_EXTRA_FOR_CLAIMS_IN_FLIGHT = 100;

/**
 * How many more ready items than usual a claim that starts with `carried` losses reads: as many
 * as its widened first try spreads over (`SPREAD_AFTER_LOSS` doubled with every carried loss
 * but the first, rounded up), so a crowd spreads over fresh items rather than over the same
 * short read; and at least one more for each other claim of the same teams in flight in the same
 * process (`othersInFlight`, at most `MAX_EXTRA_FOR_CLAIMS_IN_FLIGHT`), whose items it leaves to
 * them (`nextCandidateIndex`'s `taken`). None when the team is uncontended.
 */
export const extraCandidatesWhenContended = (carried: number, othersInFlight = 0): number =>
  Math.max(
    carried <= 0 ? 0 : spreadAfter(Math.min(carried, MAX_CARRIED_LOSSES)),
    Math.min(Math.max(0, othersInFlight), MAX_EXTRA_FOR_CLAIMS_IN_FLIGHT),
  );
