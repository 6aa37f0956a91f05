import type { Agent, WorkItem } from '#core/model';
import type { Change, Ports } from '#core/ports';
import { reassignWork as decideReassign } from '#core/work/claim';
import type { RequestContext } from '../context';
import { presentWork } from '../presenters';
import type { WorkView } from '../schemas/views';
import type { ReassignBody } from '../schemas/work';
import { currentSettings, type SettingsDeps } from '../settings';
import { workContextOf } from './shared/context';
import { requireAgent, requireWork } from './shared/lookups';
import { decideAndCommit, refreshed } from './shared/optimistic';
import { revokeTokensOfDrained } from './shared/tokens';

/**
 * `POST /v1/work/{id}/reassign` (admin): revoke the current claim (its token goes stale,
 * attempts unchanged); with `agentId`, claim the item for that agent with a fresh token and an
 * `assignment` event for it.
 * 1. read the item and the target agent (404 each); 2. decide (the target is checked like a
 * claim: retiring, capabilities, capacity); 3. commit the item, the old holder's capacity freed,
 * the target's versioned put and the events; decide again on a lost race; 4. an old holder whose
 * drain this ended loses its token.
 * @throws NotFoundError, InvalidStateError, AgentRetiringError, MissingCapabilitiesError, CapacityExceededError
 */
export const reassignWork = async (
  deps: Pick<Ports, 'clock' | 'ids' | 'work' | 'agents' | 'uow'> & SettingsDeps,
  ctx: RequestContext,
  input: ReassignBody & { id: string },
): Promise<WorkView> => {
  const settings = await currentSettings(deps);
  const item = await requireWork(deps, input.id);
  const targetId = input.agentId;
  const target = targetId === undefined ? undefined : await requireAgent(deps, targetId);
  const wctx = workContextOf(deps, ctx, settings);
  const token = deps.ids.secret();
  type State = { readonly item: WorkItem; readonly target: Agent | undefined };
  // The change of the last decision, the one committed.
  let committed: Change | undefined;
  const reassigned = await decideAndCommit<State, WorkItem>(
    deps.uow,
    { item, target },
    (state) => {
      const decision = decideReassign(state.item, state.target && { agent: state.target, token }, wctx);
      committed = decision.change;
      return { change: decision.change, result: decision.item };
    },
    async (conflict, state) => ({
      item: await refreshed(conflict, ['work'], input.id, state.item, () => requireWork(deps, input.id)),
      target:
        targetId === undefined
          ? undefined
          : await refreshed(conflict, ['agent', 'agentClaims'], targetId, state.target as Agent, () =>
              requireAgent(deps, targetId),
            ),
    }),
  );
  await revokeTokensOfDrained(deps, committed);
  return presentWork(reassigned, wctx.now, settings);
};
