import { InvalidStateError } from '../errors';
import { Action } from '../events';
import type { WorkItem } from '../model';
import { iso } from '../time';
import { freeHolder } from './claim';
import { isHeld, WorkStatus } from './status';
import { advance, decide, type WorkContext, type WorkDecision } from './write';

/** Statuses nothing can leave by cancel. */
const UNCANCELLABLE: readonly WorkStatus[] = [WorkStatus.Completed, WorkStatus.Cancelled];

/** Statuses `retry` applies to. */
const RETRYABLE: readonly WorkStatus[] = [WorkStatus.Escalated, WorkStatus.Failed];

/**
 * Cancel the item: it is not claimable any more; a current claim ends (its token goes stale)
 * and the holder's capacity frees at once. Who may cancel is decided by `assertCanCancel`.
 * @throws InvalidStateError when the item is already completed or cancelled.
 */
export const cancelWork = (item: WorkItem, reason: string | undefined, ctx: WorkContext): WorkDecision => {
  if (UNCANCELLABLE.includes(item.status)) {
    throw new InvalidStateError(
      `Work item ${item.id} is ${item.status} and cannot be cancelled.`,
      item.status,
    );
  }
  const holder = item.claim && isHeld(item.status) ? item.claim.agentId : undefined;
  const next = advance(item, { status: WorkStatus.Cancelled, claim: undefined, cancelReason: reason }, ctx);
  return decide(item, next, Action.WorkCancelled, ctx, {
    writes: holder === undefined ? [] : [freeHolder(holder)],
    agentId: holder,
  });
};

/**
 * An escalated or failed item goes back to ready with `attempts` 0 (a fresh retry budget).
 * @throws InvalidStateError when the item is neither escalated nor failed.
 */
export const retryWork = (item: WorkItem, note: string | undefined, ctx: WorkContext): WorkDecision => {
  if (!RETRYABLE.includes(item.status)) {
    throw new InvalidStateError(
      `Work item ${item.id} is ${item.status}; only escalated or failed items can be retried.`,
      item.status,
    );
  }
  const next = advance(
    item,
    {
      status: WorkStatus.Ready,
      attempts: 0,
      progress: 0,
      claim: undefined,
      readyAt: iso(ctx.now),
      lastNote: note ?? item.lastNote,
    },
    ctx,
  );
  return decide(item, next, Action.WorkRetried, ctx);
};
