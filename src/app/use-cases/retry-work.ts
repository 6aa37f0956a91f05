import { retryWork as decideRetry } from '#core/work/admin-actions';
import type { RequestContext } from '../context';
import { presentWork } from '../presenters';
import type { WorkView } from '../schemas/views';
import type { RetryBody } from '../schemas/work';
import { changeWorkItem, type WorkChangeDeps } from './shared/work-change';

/**
 * `POST /v1/work/{id}/retry` (admin): an escalated or failed item goes back to ready with a
 * fresh retry budget (attempts 0).
 * 1. read the item (404); 2. decide (409 invalid_state for any other status); 3. commit,
 * deciding again on a lost race.
 * @throws NotFoundError, InvalidStateError
 */
export const retryWork = async (
  deps: WorkChangeDeps,
  ctx: RequestContext,
  input: RetryBody & { id: string },
): Promise<WorkView> => {
  const { item, settings, now } = await changeWorkItem(deps, ctx, input.id, (current, wctx) =>
    decideRetry(current, input.note, wctx),
  );
  return presentWork(item, now, settings);
};
