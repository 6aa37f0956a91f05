import { resolveAll } from '#core/escalations/decisions';
import { type Escalation, EscalationKind } from '#core/escalations/escalation';
import type { WorkItem } from '#core/model';
import type { Ports } from '#core/ports';
import { retryWork as decideRetry } from '#core/work/admin-actions';
import type { RequestContext } from '../context';
import { presentWork } from '../presenters';
import type { WorkView } from '../schemas/views';
import type { RetryBody } from '../schemas/work';
import { currentSettings } from '../settings';
import { workContextOf } from './shared/context';
import { resolveOpenEscalations } from './shared/escalations';
import { requireWork } from './shared/lookups';
import { conflictsOn, decideAndCommit, refreshed } from './shared/optimistic';
import type { WorkChangeDeps } from './shared/work-change';

/** The item and its escalations, as the retry decides from them. */
interface RetryState {
  readonly item: WorkItem;
  readonly history: readonly Escalation[];
}

/**
 * `POST /v1/work/{id}/retry` (admin): an escalated or failed item goes back to ready with a
 * fresh retry budget (attempts 0); its open escalations resolve, and so do its dependents'
 * `dependency_failed` ones.
 * 1. read the item (404) and its escalations; 2. decide (409 invalid_state for any other
 * status); 3. commit the item and the resolution of its open escalations together, deciding
 * again on a lost race; 4. resolve each dependent's open `dependency_failed` escalation in its
 * own change (one the store cannot take now is left for the sweeper).
 * @throws NotFoundError, InvalidStateError
 */
export const retryWork = async (
  deps: WorkChangeDeps & Pick<Ports, 'escalations'>,
  ctx: RequestContext,
  input: RetryBody & { id: string },
): Promise<WorkView> => {
  const settings = await currentSettings(deps);
  const [item, history] = await Promise.all([requireWork(deps, input.id), deps.escalations.ofWork(input.id)]);
  const wctx = workContextOf(deps, ctx, settings);
  const retried = await decideAndCommit<RetryState, WorkItem>(
    deps.uow,
    { item, history },
    (state) => {
      const decision = decideRetry(state.item, input.note, wctx);
      const resolutions = resolveAll(state.history, input.note, wctx);
      return {
        change: {
          writes: [...decision.change.writes, ...resolutions.flatMap((r) => r.change.writes)],
          events: [...decision.change.events, ...resolutions.flatMap((r) => r.change.events)],
        },
        result: decision.item,
      };
    },
    async (conflict, state) => ({
      item: await refreshed(conflict, ['work'], input.id, state.item, () => requireWork(deps, input.id)),
      history: conflictsOn(conflict, ['escalation'])
        ? await deps.escalations.ofWork(input.id)
        : state.history,
    }),
  );
  for (const dependentId of retried.dependents) {
    await resolveOpenEscalations(deps, wctx, dependentId, {
      note: input.note,
      kinds: [EscalationKind.DependencyFailed],
    });
  }
  return presentWork(retried, wctx.now, settings);
};
