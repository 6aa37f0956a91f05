/**
 * What a claim does about declared `paths` that overlap those of an item in flight (claimed or
 * in progress) in the same team, by the team's policy: nothing (`off`), a warning on the claim
 * listing the overlaps (`warn`), or no claim at all (`block`). The overlap itself is `paths.ts`.
 */
import { holderInfo } from '../claims/holder';
import { type PathsInUse, PathsInUseError } from '../errors';
import type { WorkItem } from '../model';
import { ALL_TEAMS, type PathsPolicy, type Settings } from '../settings';
import { overlappingPair } from './paths';
import { isHeld } from './status';

/** Most overlaps one claim answer lists (a team has few items in flight that overlap one item). */
export const MAX_LISTED_OVERLAPS = 10;

/** The policy in force for `team`: its own entry, else the default. */
export const pathsPolicyOf = (settings: Pick<Settings, 'pathOverlap'>, team: string): PathsPolicy =>
  settings.pathOverlap[team] ?? settings.pathOverlap[ALL_TEAMS] ?? 'off';

/**
 * Whether claiming `item` needs its team's items in flight: only when it declares paths and the
 * team's policy is not `off`, so the default costs no read.
 */
export const needsPathsCheck = (item: WorkItem, settings: Pick<Settings, 'pathOverlap'>): boolean =>
  (item.paths?.length ?? 0) > 0 && pathsPolicyOf(settings, item.team) !== 'off';

/**
 * Every item in flight, held by another agent than `agentId`, whose paths overlap those of
 * `item`, with its holder and one overlapping pair each (the agent's own items never conflict: it
 * does not overwrite itself).
 */
export const pathsConflicts = (
  item: WorkItem,
  inFlight: readonly WorkItem[],
  agentId: string,
  now: Date,
  settings: Pick<Settings, 'heartbeatTimeoutMultiple'>,
): PathsInUse[] =>
  inFlight.flatMap((other) => {
    const { claim } = other;
    if (!claim || !isHeld(other.status) || other.id === item.id || claim.agentId === agentId) return [];
    if (other.team !== item.team) return [];
    const pair = overlappingPair(item.paths ?? [], other.paths ?? []);
    if (pair === undefined) return [];
    const holder = { ...holderInfo(claim, now, settings.heartbeatTimeoutMultiple), workId: other.id };
    return [{ holder, paths: pair }];
  });

/** What the team's policy makes of a claim: blocked by an item in flight, or going ahead listing the overlaps. */
export interface PathsVerdict {
  /** Under `block`: the first item in flight that overlaps. */
  readonly blockedBy?: PathsInUse;
  /** Under `warn`: the items in flight that overlap (at most `MAX_LISTED_OVERLAPS`). */
  readonly overlaps: readonly PathsInUse[];
}

/** What the team's policy makes of claiming `item` by `agentId` while `inFlight` are held. */
export const pathsVerdict = (
  item: WorkItem,
  inFlight: readonly WorkItem[],
  agentId: string,
  now: Date,
  settings: Pick<Settings, 'pathOverlap' | 'heartbeatTimeoutMultiple'>,
): PathsVerdict => {
  if (!needsPathsCheck(item, settings)) return { overlaps: [] };
  const conflicts = pathsConflicts(item, inFlight, agentId, now, settings);
  const [first] = conflicts;
  if (first !== undefined && pathsPolicyOf(settings, item.team) === 'block') {
    return { blockedBy: first, overlaps: [] };
  }
  return { overlaps: conflicts.slice(0, MAX_LISTED_OVERLAPS) };
};

/**
 * The overlaps a claim of `item` lists under its team's policy.
 * @throws PathsInUseError when the policy is `block` and an item in flight overlaps (naming the first).
 */
export const checkPaths = (...args: Parameters<typeof pathsVerdict>): readonly PathsInUse[] => {
  const verdict = pathsVerdict(...args);
  if (verdict.blockedBy) throw new PathsInUseError(args[0].id, verdict.blockedBy);
  return verdict.overlaps;
};
