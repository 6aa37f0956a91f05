import { EscalationKind } from '#core/escalations/escalation';
import type { Ports } from '#core/ports';
import { iso } from '#core/time';
import { reviewItem } from '#core/work/sweep';
import type { WorkContext } from '#core/work/write';
import { requestEscalations } from '../shared/escalations';
import { commitOne } from './commit-one';

/** What reviewing due items did. */
export interface ReviewedItems {
  /** Items whose stored urgency (the ready index order) was brought up to date. */
  readonly reviewed: number;
  /** Items whose deadline passed while ready or blocked: a `deadline` escalation was asked for. */
  readonly deadlineEscalations: number;
}

/**
 * Ready and blocked items whose review came due (from the review index, at most `limit`, the
 * earliest first) get their stored urgency recomputed: aging and deadline pressure move them up
 * the ready index. An item whose deadline passed unescalated is asked a `deadline` escalation
 * first and marked once the queue took it, so a request the queue refused is asked again on the
 * next pass; the consumer records a deadline escalation once per item however often it is asked.
 */
export const reviewDueItems = async (
  deps: Pick<Ports, 'work' | 'agents' | 'uow' | 'escalationPublisher'>,
  wctx: WorkContext,
  limit: number,
): Promise<ReviewedItems> => {
  let reviewed = 0;
  let deadlineEscalations = 0;
  for (const item of await deps.work.dueForReview(iso(wctx.now), limit)) {
    const review = reviewItem(item, wctx);
    if (!review) continue;
    if (review.escalateDeadline) {
      const request = { workId: item.id, kind: EscalationKind.Deadline, at: iso(wctx.now) };
      if (!(await requestEscalations(deps, [request]))) continue;
      deadlineEscalations += 1;
    }
    if (await commitOne(deps, item, (current) => reviewItem(current, wctx))) reviewed += 1;
  }
  return { reviewed, deadlineEscalations };
};
