import { currentClaim, leaseExpiry, renewedClaim, silentSinceCutoff } from '../claims/holder';
import { Action } from '../events';
import type { JsonObject, WorkClaim, WorkItem } from '../model';
import { isBefore, iso, minutesBetween } from '../time';
import { freeHolder } from './claim';
import { isHeld, WorkStatus } from './status';
import { advance, decide, type WorkContext, type WorkDecision, type WorkPatch } from './write';

/** What a holder route names: its claim token and who is acting. */
export interface HolderRequest {
  readonly token: string;
  /** The agent making the request (the principal). */
  readonly agentId: string;
}

const heldClaim = (item: WorkItem, request: HolderRequest, ctx: WorkContext): WorkClaim =>
  currentClaim(item, request.token, request.agentId, ctx.now, ctx.settings.heartbeatTimeoutMultiple);

/** Back to the ready pool: no claim, progress reset, aging restarts now. */
const backToReady = (ctx: WorkContext): WorkPatch => ({
  status: WorkStatus.Ready,
  claim: undefined,
  progress: 0,
  readyAt: iso(ctx.now),
});

/**
 * The holder reports progress: claimed -> in_progress, the lease renews from now and the
 * holder counts as seen alive.
 * @throws StaleClaimError when the token is not current; ForbiddenError when it is another agent's.
 */
export const reportProgress = (
  item: WorkItem,
  request: HolderRequest & { progress: number; note?: string },
  ctx: WorkContext,
): WorkDecision => {
  const claim = heldClaim(item, request, ctx);
  const next = advance(
    item,
    {
      status: WorkStatus.InProgress,
      progress: request.progress,
      lastNote: request.note ?? item.lastNote,
      claim: renewedClaim(claim, ctx.now, ctx.settings.leaseSeconds),
    },
    ctx,
  );
  return decide(item, next, Action.WorkProgress, ctx);
};

/**
 * The holder completes the item: -> completed with its result; the holder's capacity frees and
 * its stats count the completion (and its speed when the item had an estimate). Dependents are
 * unblocked by separate changes (see `unblockDependent`).
 * @throws StaleClaimError when the token is not current; ForbiddenError when it is another agent's.
 */
export const completeWork = (
  item: WorkItem,
  request: HolderRequest & { result?: JsonObject | string },
  ctx: WorkContext,
): WorkDecision => {
  const claim = heldClaim(item, request, ctx);
  const next = advance(
    item,
    {
      status: WorkStatus.Completed,
      claim: undefined,
      progress: 100,
      result: request.result,
      completedAt: iso(ctx.now),
    },
    ctx,
  );
  const speed =
    item.estimateMinutes === undefined
      ? {}
      : {
          speedRatioSum: Math.max(0, minutesBetween(claim.claimedAt, ctx.now)) / item.estimateMinutes,
          speedSamples: 1,
        };
  return decide(item, next, Action.WorkCompleted, ctx, {
    writes: [freeHolder(claim.agentId, { completed: 1, ...speed })],
  });
};

/** Attempts after one more unsuccessful claim, and whether the retry budget is spent. */
const afterFailedAttempt = (item: WorkItem): { attempts: number; exhausted: boolean } => {
  const attempts = item.attempts + 1;
  return { attempts, exhausted: attempts >= item.maxAttempts };
};

/**
 * The holder reports a failed attempt: `attempts` + 1; a retryable failure goes back to ready
 * unless the budget is spent (-> escalated); a non-retryable one ends `failed`. Frees capacity.
 * @throws StaleClaimError when the token is not current; ForbiddenError when it is another agent's.
 */
export const failWork = (
  item: WorkItem,
  request: HolderRequest & { reason: string; retryable?: boolean },
  ctx: WorkContext,
): WorkDecision => {
  const claim = heldClaim(item, request, ctx);
  const retryable = request.retryable ?? true;
  const { attempts, exhausted } = afterFailedAttempt(item);
  const failure = { reason: request.reason, retryable, at: iso(ctx.now), agentId: claim.agentId };
  const ending: WorkPatch = !retryable
    ? { status: WorkStatus.Failed, claim: undefined }
    : exhausted
      ? { status: WorkStatus.Escalated, claim: undefined }
      : backToReady(ctx);
  const next = advance(item, { ...ending, attempts, failure }, ctx);
  const action = next.status === WorkStatus.Escalated ? Action.WorkEscalated : Action.WorkFailed;
  return decide(item, next, action, ctx, { writes: [freeHolder(claim.agentId, { failed: 1 })] });
};

/**
 * The holder gives the item back: -> ready, `attempts` unchanged, capacity freed.
 * @throws StaleClaimError when the token is not current; ForbiddenError when it is another agent's.
 */
export const releaseWork = (item: WorkItem, request: HolderRequest, ctx: WorkContext): WorkDecision => {
  const claim = heldClaim(item, request, ctx);
  const next = advance(item, backToReady(ctx), ctx);
  return decide(item, next, Action.WorkReleased, ctx, { writes: [freeHolder(claim.agentId)] });
};

/**
 * A claim whose lease ran out ends (for the sweeper): `attempts` + 1, back to ready or, with the
 * budget spent, escalated; the holder's capacity frees and its stats count the expiry. The lease
 * follows the holder's heartbeat (`leaseExpiry`), and the capacity release is written only while
 * the holder is still silent, so a heartbeat that lands meanwhile keeps the claim. Returns
 * `undefined` when the item holds no claim whose lease expired by now (nothing to do).
 * @param holderLastHeartbeatAt the holder's `lastHeartbeatAt` as read (`undefined`: not read).
 */
export const expireLease = (
  item: WorkItem,
  ctx: WorkContext,
  holderLastHeartbeatAt?: string,
): WorkDecision | undefined => {
  const { claim } = item;
  if (!claim || !isHeld(item.status)) return undefined;
  const { leaseSeconds } = ctx.settings;
  if (isBefore(ctx.now, leaseExpiry(claim, holderLastHeartbeatAt, leaseSeconds))) return undefined;
  const { attempts, exhausted } = afterFailedAttempt(item);
  const ending: WorkPatch = exhausted ? { status: WorkStatus.Escalated, claim: undefined } : backToReady(ctx);
  const next = advance(item, { ...ending, attempts }, ctx);
  const action = exhausted ? Action.WorkEscalated : Action.WorkReleased;
  return decide(item, next, action, ctx, {
    writes: [freeHolder(claim.agentId, { leaseExpiries: 1 }, silentSinceCutoff(ctx.now, leaseSeconds))],
    agentId: claim.agentId,
  });
};
