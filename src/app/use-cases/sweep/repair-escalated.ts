import { lacksRetriesEscalation, requestsAfter } from '#core/escalations/decisions';
import type { EscalationRequest } from '#core/escalations/escalation';
import type { Ports } from '#core/ports';
import { WorkStatus } from '#core/work/status';
import type { WorkContext } from '#core/work/write';
import { requestEscalations } from '../shared/escalations';

/** What repairing escalated items did. */
export interface RepairedEscalated {
  /** Escalated items asked a `retries_exhausted` escalation they lacked. */
  readonly escalationsRequested: number;
  /** Where the next pass goes on; absent when this one reached the end. */
  readonly cursor?: string;
}

/**
 * One page of escalated items (at most `limit`, from `cursor`, from the status index) is checked
 * for its `retries_exhausted` escalation: one that a crash kept from being asked for (between the
 * item's change and its publication) is asked now, a minute after that change.
 */
export const repairEscalatedItems = async (
  deps: Pick<Ports, 'work' | 'escalations' | 'escalationPublisher'>,
  wctx: WorkContext,
  page: { readonly limit: number; readonly cursor?: string },
): Promise<RepairedEscalated> => {
  const escalated = await deps.work.list({ ...page, status: WorkStatus.Escalated });
  const requests: EscalationRequest[] = [];
  for (const item of escalated.items) {
    if (lacksRetriesEscalation(item, await deps.escalations.ofWork(item.id), wctx.now)) {
      requests.push(...requestsAfter(item, 'repair', wctx));
    }
  }
  await requestEscalations(deps, requests);
  return {
    escalationsRequested: requests.length,
    ...(escalated.nextCursor === undefined ? {} : { cursor: escalated.nextCursor }),
  };
};
