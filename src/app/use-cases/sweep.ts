import type { Ports } from '#core/ports';
import { currentSettings, type SettingsDeps } from '../settings';
import { systemContext } from './shared/escalations';
import { expireLeases } from './sweep/expire-leases';
import { announceOfflineAgents } from './sweep/offline-agents';
import { repairBlockedItems } from './sweep/repair-blocked';
import { repairEscalatedItems } from './sweep/repair-escalated';
import { reviewDueItems } from './sweep/review-items';
import { settleOpenEscalations } from './sweep/settle-escalations';

/** The most records each step of one pass reads, so a pass does bounded work whatever the backlog. */
export interface SweepLimits {
  readonly leases: number;
  readonly reviews: number;
  readonly agents: number;
  readonly blocked: number;
  readonly escalated: number;
  readonly escalations: number;
  /** Team names moved out of the registry item earlier versions kept. */
  readonly teams: number;
}

/** Limits of a pass unless the caller gives others. */
export const DEFAULT_SWEEP_LIMITS: SweepLimits = {
  leases: 100,
  reviews: 100,
  agents: 100,
  blocked: 50,
  escalated: 25,
  escalations: 50,
  teams: 25,
};

/**
 * Where the rotating steps go on. A pass hands back the cursors of the next; a caller that keeps
 * none (a cold start) starts from the beginning, which only means some records are seen again.
 */
export interface SweepCursors {
  readonly agents?: string;
  readonly blocked?: string;
  readonly escalated?: string;
  readonly escalations?: string;
}

/** One pass's input. */
export interface SweepInput {
  /** Recorded as the `requestId` of the audit events the pass writes (e.g. the invocation id). */
  readonly runId?: string;
  readonly cursors?: SweepCursors;
  readonly limits?: Partial<SweepLimits>;
}

/** What one pass did. */
export interface SweepReport {
  readonly expiredLeases: number;
  readonly escalatedItems: number;
  readonly reviewedItems: number;
  readonly deadlineEscalations: number;
  readonly offlineAgents: number;
  readonly unblockedItems: number;
  readonly repairRequests: number;
  readonly settledEscalations: number;
  /** Team names moved from the old registry item to team items. */
  readonly movedTeams: number;
  /** Hand these to the next pass. */
  readonly cursors: SweepCursors;
}

/** The ports a pass uses. */
export type SweepDeps = Pick<
  Ports,
  'clock' | 'ids' | 'work' | 'agents' | 'teams' | 'escalations' | 'uow' | 'escalationPublisher'
> &
  SettingsDeps;

const cursorOf = (cursor: string | undefined) => (cursor === undefined ? {} : { cursor });

/**
 * The sweeper (EventBridge every minute on AWS, a timer locally): one bounded pass.
 * 1. expired leases end (attempts + 1; `retries_exhausted` asked when the budget is spent);
 * 2. items due for review get their urgency recomputed (aging, deadline pressure), and a deadline
 *    that passed while ready or blocked is escalated once;
 * 3. agents past their heartbeat timeout are announced offline, once per silence;
 * 4. blocked items waiting on a completed dependency are unblocked, and those waiting on a failed
 *    one get the `dependency_failed` escalation they lack;
 * 5. escalated items get the `retries_exhausted` escalation they lack;
 * 6. open escalations that no longer describe their item resolve;
 * 7. a few team names move from the registry item earlier versions kept to team items.
 * Every change is conditional on what was read (version, claim token) and decided again on a
 * lost race, every read is an index Query with a limit (never a Scan): passes may overlap each
 * other and claims, and running one twice changes nothing twice.
 * @throws UnavailableError when the store does not answer (the next pass tries again).
 */
export const sweep = async (deps: SweepDeps, input: SweepInput = {}): Promise<SweepReport> => {
  const limits = { ...DEFAULT_SWEEP_LIMITS, ...input.limits };
  const cursors = input.cursors ?? {};
  const settings = await currentSettings(deps);
  const wctx = { ...systemContext(deps, input.runId), settings };
  const leases = await expireLeases(deps, wctx, limits.leases);
  const reviews = await reviewDueItems(deps, wctx, limits.reviews);
  const agents = await announceOfflineAgents(deps, wctx, {
    limit: limits.agents,
    ...cursorOf(cursors.agents),
  });
  const blocked = await repairBlockedItems(deps, wctx, {
    limit: limits.blocked,
    ...cursorOf(cursors.blocked),
  });
  const escalated = await repairEscalatedItems(deps, wctx, {
    limit: limits.escalated,
    ...cursorOf(cursors.escalated),
  });
  const settled = await settleOpenEscalations(deps, wctx, {
    limit: limits.escalations,
    ...cursorOf(cursors.escalations),
  });
  const movedTeams = await deps.teams.moveLegacy(limits.teams);
  return {
    expiredLeases: leases.expired,
    escalatedItems: leases.escalated,
    reviewedItems: reviews.reviewed,
    deadlineEscalations: reviews.deadlineEscalations,
    offlineAgents: agents.announced,
    unblockedItems: blocked.unblocked,
    repairRequests: blocked.escalationsRequested + escalated.escalationsRequested,
    settledEscalations: settled.resolved,
    movedTeams,
    cursors: {
      ...(agents.cursor === undefined ? {} : { agents: agents.cursor }),
      ...(blocked.cursor === undefined ? {} : { blocked: blocked.cursor }),
      ...(escalated.cursor === undefined ? {} : { escalated: escalated.cursor }),
      ...(settled.cursor === undefined ? {} : { escalations: settled.cursor }),
    },
  };
};
