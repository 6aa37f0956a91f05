import { requestsAfter } from '#core/escalations/decisions';
import type { Ports } from '#core/ports';
import { failWork as decideFailure } from '#core/work/holder-actions';
import type { RequestContext } from '../context';
import { presentWork } from '../presenters';
import type { WorkView } from '../schemas/views';
import type { FailBody } from '../schemas/work';
import { requestEscalations } from './shared/escalations';
import { holderRequest } from './shared/holder';
import { changeWorkItem, type WorkChangeDeps } from './shared/work-change';

/**
 * `POST /v1/work/{id}/fail`: the holder reports a failed attempt.
 * 1. read the item (404); 2. the token decides (409 stale_claim), then the holder (403);
 * 3. attempts + 1: retryable -> ready, or escalated once the budget is spent; not retryable ->
 * failed; the holder's capacity frees; 4. commit, deciding again on a lost race; 5. ask for
 * the escalations that calls for: `retries_exhausted` when it escalated, `dependency_failed` for
 * each dependent when it failed for good.
 * @throws NotFoundError, StaleClaimError, ForbiddenError
 */
export const failWork = async (
  deps: WorkChangeDeps & Pick<Ports, 'escalationPublisher'>,
  ctx: RequestContext,
  input: FailBody & { id: string },
): Promise<WorkView> => {
  const request = {
    ...holderRequest(ctx, input.claimToken),
    reason: input.reason,
    retryable: input.retryable,
  };
  const { item, settings, now } = await changeWorkItem(deps, ctx, input.id, (current, wctx) =>
    decideFailure(current, request, wctx),
  );
  await requestEscalations(deps, requestsAfter(item, 'failed', { now, requestId: ctx.requestId }));
  return presentWork(item, now, settings);
};
