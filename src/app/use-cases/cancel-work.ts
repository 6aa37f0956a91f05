import { assertCanCancel } from '#core/authz';
import { requestsAfter } from '#core/escalations/decisions';
import type { Ports } from '#core/ports';
import { cancelWork as decideCancel } from '#core/work/admin-actions';
import type { RequestContext } from '../context';
import { presentWork } from '../presenters';
import type { WorkView } from '../schemas/views';
import type { CancelBody } from '../schemas/work';
import { workContextOf } from './shared/context';
import { requestEscalations, resolveOpenEscalations } from './shared/escalations';
import { changeWorkItem, type WorkChangeDeps } from './shared/work-change';

/**
 * `POST /v1/work/{id}/cancel` (admin or the creator): the item is not claimable any more; a
 * current claim ends and its holder's capacity frees at once.
 * 1. read the item (404); 2. only an admin or the agent that created it may cancel (403);
 * 3. decide (409 invalid_state when completed or cancelled already); 4. commit, deciding again
 * on a lost race; 5. its own open escalations resolve (nothing is left to do about it), and each
 * dependent is asked a `dependency_failed` escalation.
 * @throws NotFoundError, ForbiddenError, InvalidStateError
 */
export const cancelWork = async (
  deps: WorkChangeDeps & Pick<Ports, 'escalations' | 'escalationPublisher'>,
  ctx: RequestContext,
  input: CancelBody & { id: string },
): Promise<WorkView> => {
  const { item, settings, now } = await changeWorkItem(deps, ctx, input.id, (current, wctx) => {
    assertCanCancel(ctx.principal, current);
    return decideCancel(current, input.reason, wctx);
  });
  await resolveOpenEscalations(deps, workContextOf(deps, ctx, settings), item.id, { note: input.reason });
  await requestEscalations(deps, requestsAfter(item, 'cancelled', { now, requestId: ctx.requestId }));
  return presentWork(item, now, settings);
};
