import { reportProgress as decideProgress } from '#core/work/holder-actions';
import type { RequestContext } from '../context';
import { presentWork } from '../presenters';
import type { WorkView } from '../schemas/views';
import type { ProgressBody } from '../schemas/work';
import { holderRequest } from './shared/holder';
import { changeWorkItem, type WorkChangeDeps } from './shared/work-change';

/**
 * `POST /v1/work/{id}/progress`: the holder reports progress; the lease renews.
 * 1. read the item (404); 2. the token decides (409 stale_claim), then the holder (403);
 * 3. claimed -> in_progress, progress and note recorded, lease renewed; 4. commit, deciding again
 * on a lost race (a superseded token then answers stale_claim).
 * @throws NotFoundError, StaleClaimError, ForbiddenError
 */
export const reportProgress = async (
  deps: WorkChangeDeps,
  ctx: RequestContext,
  input: ProgressBody & { id: string },
): Promise<WorkView> => {
  const request = { ...holderRequest(ctx, input.claimToken), progress: input.progress, note: input.note };
  const { item, settings, now } = await changeWorkItem(deps, ctx, input.id, (current, wctx) =>
    decideProgress(current, request, wctx),
  );
  return presentWork(item, now, settings);
};
