import { releaseWork as decideRelease } from '#core/work/holder-actions';
import type { RequestContext } from '../context';
import { presentWork } from '../presenters';
import type { WorkView } from '../schemas/views';
import type { ReleaseBody } from '../schemas/work';
import { holderRequest } from './shared/holder';
import { changeWorkItem, type WorkChangeDeps } from './shared/work-change';

/**
 * `POST /v1/work/{id}/release`: the holder gives the item back (attempts unchanged).
 * 1. read the item (404); 2. the token decides (409 stale_claim), then the holder (403);
 * 3. -> ready, the holder's capacity freed; 4. commit, deciding again on a lost race.
 * @throws NotFoundError, StaleClaimError, ForbiddenError
 */
export const releaseWork = async (
  deps: WorkChangeDeps,
  ctx: RequestContext,
  input: ReleaseBody & { id: string },
): Promise<WorkView> => {
  const request = holderRequest(ctx, input.claimToken);
  const { item, settings, now } = await changeWorkItem(deps, ctx, input.id, (current, wctx) =>
    decideRelease(current, request, wctx),
  );
  return presentWork(item, now, settings);
};
