import { assertActsAs } from '#core/authz';
import type { PathsInUse } from '#core/errors';
import type { Agent, WorkItem } from '#core/model';
import type { Ports } from '#core/ports';
import { claimWork as decideClaim } from '#core/work/claim';
import { checkPaths, needsPathsCheck } from '#core/work/paths-policy';
import { isHeld } from '#core/work/status';
import type { RequestContext } from '../context';
import { presentClaim } from '../presenters';
import type { ClaimView } from '../schemas/views';
import { currentSettings, type SettingsDeps } from '../settings';
import { workContextOf } from './shared/context';
import { inFlightItems } from './shared/held-items';
import { requireAgent, requireWork } from './shared/lookups';
import { decideAndCommit, refreshed } from './shared/optimistic';

/** Whether `agentId` holds the item already (a claim then only renews its token). */
const isHeldBy = (item: WorkItem, agentId: string): boolean =>
  item.claim?.agentId === agentId && isHeld(item.status);

/**
 * `POST /v1/work/{id}/claim`: the agent claims this item, or takes up a claim it already holds
 * with a fresh token.
 * 1. the agent may act only as itself (403); 2. read the agent and the item (404 each);
 * 3. decide the claim with a fresh token; when the item declares paths and its team's paths policy
 * is not `off`, a new claim also checks the team's items in flight (409 `paths_in_use` under
 * `block`, the overlaps listed under `warn`); 4. commit the item, the guarded `activeClaims` + 1
 * and the event together; on a lost race decide again from what won (the holder is then named
 * from the stored claim, without a second read).
 * @throws ForbiddenError, NotFoundError, AlreadyClaimedError, NotClaimableError,
 *   AgentRetiringError, MissingCapabilitiesError, CapacityExceededError, PathsInUseError
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
  // Read once, before the transaction: two overlapping claims at the same moment may both pass (best effort).
  const inFlight = needsPathsCheck(item, settings) ? await inFlightItems(deps, item.team) : [];
  type State = { readonly item: WorkItem; readonly agent: Agent };
  type Claimed = { readonly item: WorkItem; readonly overlaps: readonly PathsInUse[] };
  const claimed = await decideAndCommit<State, Claimed>(
    deps.uow,
    { item, agent },
    (state) => {
      const decision = decideClaim(state.item, state.agent, token, wctx);
      const isRenewal = isHeldBy(state.item, input.agentId);
      const overlaps = isRenewal ? [] : checkPaths(state.item, inFlight, input.agentId, wctx.now, settings);
      return { change: decision.change, result: { item: decision.item, overlaps } };
    },
    async (conflict, state) => ({
      item: await refreshed(conflict, ['work'], input.id, state.item, () => requireWork(deps, input.id)),
      agent: await refreshed(conflict, ['agentClaims', 'agent'], input.agentId, state.agent, () =>
        requireAgent(deps, input.agentId),
      ),
    }),
  );
  return presentClaim(claimed.item, wctx.now, settings, claimed.overlaps);
};
