import { assertActsAs } from '#core/authz';
import type { Agent, WorkItem } from '#core/model';
import type { Ports } from '#core/ports';
import { claimWork as decideClaim } from '#core/work/claim';
import type { RequestContext } from '../context';
import { presentClaim } from '../presenters';
import type { ClaimView } from '../schemas/views';
import { currentSettings, type SettingsDeps } from '../settings';
import { workContextOf } from './shared/context';
import { requireAgent, requireWork } from './shared/lookups';
import { decideAndCommit, refreshed } from './shared/optimistic';

/**
 * `POST /v1/work/{id}/claim`: the agent claims this item, or takes up a claim it already holds
 * with a fresh token.
 * 1. the agent may act only as itself (403); 2. read the agent and the item (404 each);
 * 3. decide the claim with a fresh token; 4. commit the item, the guarded `activeClaims` + 1
 * and the event together; on a lost race decide again from what won (the holder is then named
 * from the stored claim, without a second read).
 * @throws ForbiddenError, NotFoundError, AlreadyClaimedError, NotClaimableError,
 *   AgentRetiringError, MissingCapabilitiesError, CapacityExceededError
 */
export const claimWork = async (
  deps: Pick<Ports, 'clock' | 'ids' | 'work' | 'agents' | 'uow'> & SettingsDeps,
  ctx: RequestContext,
  input: { id: string; agentId: string },
): Promise<ClaimView> => {
  assertActsAs(ctx.principal, input.agentId);
  const settings = await currentSettings(deps);
  const agent = await requireAgent(deps, input.agentId);
  const item = await requireWork(deps, input.id);
  const wctx = workContextOf(deps, ctx, settings);
  const token = deps.ids.secret();
  type State = { readonly item: WorkItem; readonly agent: Agent };
  const claimed = await decideAndCommit<State, WorkItem>(
    deps.uow,
    { item, agent },
    (state) => {
      const decision = decideClaim(state.item, state.agent, token, wctx);
      return { change: decision.change, result: decision.item };
    },
    async (conflict, state) => ({
      item: await refreshed(conflict, ['work'], input.id, state.item, () => requireWork(deps, input.id)),
      agent: await refreshed(conflict, ['agentClaims', 'agent'], input.agentId, state.agent, () =>
        requireAgent(deps, input.agentId),
      ),
    }),
  );
  return presentClaim(claimed, wctx.now, settings);
};
