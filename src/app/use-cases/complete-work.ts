import { completeWork as decideCompletion } from '#core/work/holder-actions';
import type { RequestContext } from '../context';
import { presentWork } from '../presenters';
import type { WorkView } from '../schemas/views';
import type { CompleteBody } from '../schemas/work';
import { workContextOf } from './shared/context';
import { holderRequest } from './shared/holder';
import { unblockDependents } from './shared/unblock';
import { changeWorkItem, type WorkChangeDeps } from './shared/work-change';

/**
 * `POST /v1/work/{id}/complete`: the holder completes the item; its dependents are unblocked.
 * 1. read the item (404); 2. the token decides (409 stale_claim), then the holder (403);
 * 3. commit completed + result, the holder's capacity freed, the event; 4. each dependent
 * stops waiting on it in its own conditional change (ready when nothing else remains).
 * @throws NotFoundError, StaleClaimError, ForbiddenError
 */
export const completeWork = async (
  deps: WorkChangeDeps,
  ctx: RequestContext,
  input: CompleteBody & { id: string },
): Promise<WorkView> => {
  const request = { ...holderRequest(ctx, input.claimToken), result: input.result };
  const { item, settings, now } = await changeWorkItem(deps, ctx, input.id, (current, wctx) =>
    decideCompletion(current, request, wctx),
  );
  await unblockDependents(deps, workContextOf(deps, ctx, settings), item.id, item.dependents);
  return presentWork(item, now, settings);
};
