import { assertActsAs, assertWorksIn, teamLimitOf } from '#core/authz';
import { DomainError, RateLimitedError } from '#core/errors';
import type { WorkItem } from '#core/model';
import { type Ports, WriteConflict } from '#core/ports';
import { rankByCurrentUrgency } from '#core/urgency';
import { assertCanTakeWork, claimWork as decideClaim } from '#core/work/claim';
import {
  CONTENTION_HINT_TTL_MS,
  extraCandidatesWhenContended,
  fitsAgent,
  MAX_CARRIED_LOSSES,
  nextCandidateIndex,
  nextCarriedLosses,
  readAfresh,
} from '#core/work/claim-policy';
import { needsPathsCheck, pathsVerdict } from '#core/work/paths-policy';
import type { RequestContext } from '../context';
import { presentClaim } from '../presenters';
import type { ClaimView } from '../schemas/views';
import type { ClaimNextBody } from '../schemas/work';
import { currentSettings, type SettingsDeps } from '../settings';
import { workContextOf } from './shared/context';
import { inFlightItems } from './shared/held-items';
import { requireAgent } from './shared/lookups';
import { conflictsOn, MAX_DECISION_ATTEMPTS } from './shared/optimistic';
import { readOrderNow, SharedReads } from './shared/shared-reads';

/** How many of the most urgent ready items one read of the ready index fetches. */
export const CANDIDATES_PER_READ = 25;
/** Most extra candidates a read fetches to replace those skipped for overlapping paths. */
export const MAX_EXTRA_CANDIDATES = 175;
/** Fresh reads of the ready index before giving up on a contended claim (429, retry shortly). */
export const MAX_CANDIDATE_READS = 12;
/** Agents whose team this process remembers as a hint for the next claim's first read (oldest dropped). */
export const MAX_TEAM_HINTS = 10_000;
/**
 * How long before a claim started a read of the ready index in flight may have started for the
 * claim's first read to share it (`readyReads`). The ready index is a global secondary index,
 * itself eventually consistent on AWS, so an answer this much older is as good as a read of the
 * claim's own.
 */
export const SHARED_READ_LAG_MS = 25;

/**
 * The team each agent had when it last asked this process for work. A hint only, never a
 * decision: it lets the first read of the ready index start beside the agent's own read instead
 * of after it, and that read is used only when the agent as read works in the same team (an agent
 * moved since reads its new team afresh). At most {@link MAX_TEAM_HINTS} agents.
 */
const teamHints = new Map<string, string>();

/** Puts `key` last in `hints` (the newest), dropping the oldest beyond {@link MAX_TEAM_HINTS}. */
const remember = <V>(hints: Map<string, V>, key: string, value: V): void => {
  hints.delete(key);
  hints.set(key, value);
  if (hints.size > MAX_TEAM_HINTS) {
    const oldest = hints.keys().next();
    if (!oldest.done) hints.delete(oldest.value);
  }
};

const rememberTeam = (agentId: string, team: string): void => remember(teamHints, agentId, team);

/**
 * Per set of teams asked for, the lost races this process's recent claims of them carry over to
 * the next one (`nextCarriedLosses`) and when the last of those claims ended: a hint for how wide
 * the first try spreads, never a decision, and ignored once older than `CONTENTION_HINT_TTL_MS`.
 * At most {@link MAX_TEAM_HINTS} sets of teams.
 */
const contentionHints = new Map<string, { readonly carried: number; readonly at: number }>();

/** The key of a set of teams in this process's per-teams records. */
const teamsKeyOf = (teams: readonly string[]): string => teams.join('\n');

const rememberContention = (teamsKey: string, carried: number, now: Date): void => {
  if (carried === 0) contentionHints.delete(teamsKey);
  else remember(contentionHints, teamsKey, { carried, at: now.getTime() });
};

/** The losses a claim of `teams` starting at `now` carries over: none once the hint is stale. */
const carriedLossesOf = (teams: readonly string[], now: Date): number => {
  const hint = contentionHints.get(teamsKeyOf(teams));
  return hint && now.getTime() - hint.at < CONTENTION_HINT_TTL_MS ? hint.carried : 0;
};

/**
 * Claims in flight in this process, per set of teams asked for (`teamsKeyOf`). On Lambda a
 * container runs one request at a time and this is never more than the claim itself; a process
 * that runs many at once (the local runtime) lets each claim read enough candidates for the
 * others and leave them the items they are trying (`beingTried`).
 */
const claimsInFlight = new Map<string, number>();

/** Items a claim of this process is trying to claim right now, by id: how many claims are. */
const beingTried = new Map<string, number>();

/**
 * Copies of items (id and version) that this process knows are outdated: the item was claimed by
 * one of its claims at that version, or a claim's write was refused with a newer version. A read
 * that still returns such a copy (it started before the write) would only lose the race with it,
 * so such a copy is tried last. A version never comes back: an item released to the ready queue
 * again has a newer one. At most {@link MAX_TEAM_HINTS} copies (oldest dropped).
 */
const outdatedCopies = new Map<string, true>();

const copyKey = (item: Pick<WorkItem, 'id' | 'version'>): string => `${item.id}\n${item.version}`;

/** Whether another claim of this process is trying `item`, or the copy read is known to be outdated. */
const takenAlready = (item: WorkItem): boolean =>
  beingTried.has(item.id) || outdatedCopies.has(copyKey(item));

const count = (counts: Map<string, number>, key: string, delta: 1 | -1): void => {
  const next = (counts.get(key) ?? 0) + delta;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
};

/**
 * The reads of the ready index in flight in this process, per work repository: claims of the same
 * teams in flight at once share one read instead of each sending its own (see `claimNext`, step
 * 2). On Lambda a container runs one claim at a time and never finds another's read in flight.
 */
const readyReads = new WeakMap<object, SharedReads<WorkItem>>();

const readyReadsOf = (work: object): SharedReads<WorkItem> => {
  const known = readyReads.get(work);
  if (known) return known;
  const reads = new SharedReads<WorkItem>();
  readyReads.set(work, reads);
  return reads;
};

const sameTeams = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((team, index) => team === b[index]);

/**
 * `POST /v1/work/claim-next`: claim the most urgent ready item the agent may take, or
 * `undefined` (204) when nothing fits.
 * 1. the agent may act only as itself (403); read it (404); it must not be retiring or full (409);
 * 2. read the top `CANDIDATES_PER_READ` ready items of its teams (default: its own team), more
 *    while the teams are contended (`extraCandidatesWhenContended`, see step 4) and one more for
 *    each other claim of the same teams in flight in this process; the first
 *    read starts beside step 1's when the teams are known before the agent is read (asked for,
 *    or the team this process last saw the agent in) and counts only if they are the agent's;
 *    claims of the same teams in flight at once share one read (`SharedReads`): a claim joins a
 *    read in flight that is at least as large as its own would be now and holds the usual
 *    candidates plus one for each other claim sharing it, and that started after the end of the
 *    claim's own last read and after its last lost race (the first read: at most
 *    `SHARED_READ_LAG_MS` before the claim started), else starts one; a failed shared read fails
 *    every claim sharing it;
 * 3. keep those of the asked types whose capabilities it has, ordered by urgency now;
 *    an item whose paths overlap an item in flight in its team is skipped under the team's
 *    `block` policy (the next read then fetches that many more) and claimed listing the overlaps
 *    under `warn`; the team's items in flight are read only for such items, once per read;
 * 4. try a random one of all those whose urgency is within a point of the most urgent
 *    (`firstTryWindow`: concurrent agents spread over near-equal items from the first try),
 *    or, while this process's recent claims of the same teams lost races, of as wide a window
 *    as if this claim had lost that many already (`nextCarriedLosses`: a loss adds one, a win at
 *    the first try takes a quarter off, at most `MAX_CARRIED_LOSSES`, forgotten after
 *    `CONTENTION_HINT_TTL_MS` without a claim);
 *    candidates another claim of this process is trying, or read at a version this process knows
 *    has moved on (it claimed the item, or a write was refused with a newer one), come last: claims
 *    in flight at once in one process (the local runtime; on Lambda a container runs one at a
 *    time) take different items, the most urgent free one each, instead of racing for the same;
 *    a lost race (the item moved on) tries a random other one of the same read, of a window
 *    that grows with each loss, and reads the index afresh once the read is exhausted or has
 *    lost `MAX_LOSSES_PER_READ` races (`readAfresh`);
 *    a refused `activeClaims` guard re-reads the agent and stops when it is full or retiring
 *    (else tries the same item again, a bounded number of times);
 * 5. after `MAX_CANDIDATE_READS` reads that
 *    still found fitting items, answer 429 rather than a false "nothing fits".
 * An outage (the store throttling or down) is no lost race: it ends the call as
 * `UnavailableError` (503), never as "nothing fits".
 * `onLostRaces` is told, once the call ends however it ends (once the agent could take work),
 * how many races it lost on the way (0 included), for the service's metrics.
 * @throws ForbiddenError, NotFoundError, AgentRetiringError, CapacityExceededError, RateLimitedError
 * @throws UnavailableError when the store does not answer
 */
export const claimNext = async (
  deps: Pick<Ports, 'clock' | 'ids' | 'random' | 'work' | 'agents' | 'uow'> & SettingsDeps,
  ctx: RequestContext,
  input: ClaimNextBody,
  onLostRaces?: (count: number) => void,
): Promise<ClaimView | undefined> => {
  assertActsAs(ctx.principal, input.agentId);
  const hinted = teamHints.get(input.agentId);
  const guessedTeams = input.teams ?? (hinted === undefined ? undefined : [hinted]);
  const startedAt = deps.clock.now();
  const carriedOf = (teams: readonly string[]) => carriedLossesOf(teams, startedAt);
  const othersInFlight = (teams: readonly string[]) => claimsInFlight.get(teamsKeyOf(teams)) ?? 0;
  /** A read's usual size for `teams` with `others` other claims of them in flight. */
  const sizeWith = (teams: readonly string[], others: number) =>
    CANDIDATES_PER_READ + extraCandidatesWhenContended(carriedOf(teams), others);
  const readSize = (teams: readonly string[]) => sizeWith(teams, othersInFlight(teams));
  const reads = readyReadsOf(deps.work);
  // Reads started before this order (the end of this claim's last read, its last lost race) would
  // return the copies it has just seen outdated; the first read may share any recent one.
  let freshAfter = 0;
  /**
   * The ready items of `teams`: a read of this process's claims in flight that this one may share
   * (`SharedReads`), else one of `size` items, `extra` of them for candidates skipped for their
   * paths. A read it shares is at least as large as the claim's own would be now (one more item
   * for each of the `others` claims of the teams in flight, those sharing the read among them)
   * and holds one item more than the usual for each other claim sharing it (a claim's first read
   * may start before the claim counts as in flight).
   */
  const readyItems = (teams: readonly string[], size: number, extra: number, others: number) => {
    const ownSize = sizeWith(teams, others) + extra;
    const ownExtra = extraCandidatesWhenContended(carriedOf(teams));
    return reads.read({
      key: teamsKeyOf(teams),
      needs: (sharers) => Math.max(ownSize, CANDIDATES_PER_READ + Math.max(ownExtra, sharers - 1) + extra),
      size,
      after: freshAfter,
      notBefore: startedAt.getTime() - SHARED_READ_LAG_MS,
      now: deps.clock.now().getTime(),
      start: (limit) => deps.work.readyCandidates(teams, limit),
    });
  };
  const early =
    guessedTeams && readyItems(guessedTeams, readSize(guessedTeams), 0, othersInFlight(guessedTeams));
  // Awaited below when it counts; a call that ends before then must not leave it unhandled.
  early?.catch(() => undefined);
  const [settings, agentAsRead] = await Promise.all([
    currentSettings(deps),
    requireAgent(deps, input.agentId),
  ]);
  let agent = agentAsRead;
  rememberTeam(agent.id, agent.team);
  assertCanTakeWork(agent);
  const wctx = workContextOf(deps, ctx, settings);
  const teams = input.teams ?? [agent.team];
  for (const team of teams) assertWorksIn(teamLimitOf(agent), team, agent.id);
  const token = deps.ids.secret();
  const tried = new Set<string>();
  let lostRaces = 0;
  const teamsKey = teamsKeyOf(teams);
  const carried = carriedOf(teams);
  let agentRereads = 0;
  let pathsSkipped = 0;
  const firstReadSize = readSize(teams);
  count(claimsInFlight, teamsKey, 1);

  try {
    for (let read = 0; read < MAX_CANDIDATE_READS; read += 1) {
      const current = agent;
      const inFlight = new Map<string, Promise<WorkItem[]>>();
      const inFlightOf = (team: string) => {
        const known = inFlight.get(team) ?? inFlightItems(deps, team);
        inFlight.set(team, known);
        return known;
      };
      const extra = Math.min(pathsSkipped, MAX_EXTRA_CANDIDATES);
      const fetched =
        read === 0 && early && guessedTeams && sameTeams(guessedTeams, teams)
          ? await early
          : await readyItems(teams, firstReadSize + extra, extra, othersInFlight(teams) - 1);
      freshAfter = readOrderNow();
      const candidates = rankByCurrentUrgency(
        fetched.filter((item) => !tried.has(item.id) && fitsAgent(item, current, input.types)),
        wctx.now,
        settings.urgencyWeights,
      );
      if (candidates.length === 0) return undefined;
      let lossesThisRead = 0;
      while (!readAfresh(candidates.length, lossesThisRead)) {
        const [candidate] = candidates.splice(
          nextCandidateIndex(candidates, carried + lostRaces, () => deps.random.next(), takenAlready),
          1,
        );
        if (!candidate) break;
        tried.add(candidate.id);
        const verdict = needsPathsCheck(candidate, settings)
          ? pathsVerdict(candidate, await inFlightOf(candidate.team), agent.id, wctx.now, settings)
          : undefined;
        if (verdict?.blockedBy) {
          pathsSkipped += 1;
          continue;
        }
        count(beingTried, candidate.id, 1);
        try {
          const decision = decideClaim(candidate, agent, token, wctx);
          await deps.uow.commit(decision.change);
          remember(outdatedCopies, copyKey(candidate), true);
          rememberContention(teamsKey, nextCarriedLosses(carried, lostRaces), deps.clock.now());
          return presentClaim(decision.item, wctx.now, settings, verdict?.overlaps);
        } catch (error) {
          const isAgentGuard =
            error instanceof WriteConflict && conflictsOn(error, ['agentClaims'], agent.id);
          if (isAgentGuard && agentRereads < MAX_DECISION_ATTEMPTS) {
            agentRereads += 1;
            agent = await requireAgent(deps, agent.id);
            assertCanTakeWork(agent);
            candidates.unshift(candidate);
            tried.delete(candidate.id);
            continue;
          }
          // A lost race is the store refusing the write (the item moved on) or the decision refusing
          // the item as now read; anything else, an outage above all, ends the call.
          if (!(error instanceof WriteConflict || error instanceof DomainError)) throw error;
          if (error instanceof WriteConflict && movedOnFrom(error, candidate)) {
            remember(outdatedCopies, copyKey(candidate), true);
          }
          lostRaces += 1;
          lossesThisRead += 1;
          freshAfter = readOrderNow();
        } finally {
          count(beingTried, candidate.id, -1);
        }
      }
    }
    rememberContention(teamsKey, MAX_CARRIED_LOSSES, deps.clock.now());
    throw new RateLimitedError(1, 'Other agents took every candidate first; retry shortly.');
  } finally {
    count(claimsInFlight, teamsKey, -1);
    onLostRaces?.(lostRaces);
  }
};

/** Whether the conflict reports `item` stored at another version than the copy the claim read. */
const movedOnFrom = (conflict: WriteConflict, item: WorkItem): boolean =>
  conflict.failed.some(
    (failed) =>
      failed.kind === 'work' &&
      failed.id === item.id &&
      failed.current !== undefined &&
      failed.current.version !== item.version,
  );
