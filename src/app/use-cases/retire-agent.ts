import { retireAgent as decideRetirement } from '#core/agents/lifecycle';
import { RetireMode } from '#core/agents/status';
import { assertActsAs } from '#core/authz';
import { Action } from '#core/events';
import type { Ports } from '#core/ports';
import { revokeClaim } from '#core/work/claim';
import type { RequestContext } from '../context';
import { presentAgent } from '../presenters';
import type { RetireAgentBody } from '../schemas/agents';
import type { AgentViewSchema } from '../schemas/views';
import { currentSettings, type SettingsDeps } from '../settings';
import { changeAgent } from './shared/agent-change';
import { workContextOf } from './shared/context';
import { changeEach, heldItems } from './shared/held-items';
import { requireAgent } from './shared/lookups';
import { revokeTokenOnceRetired } from './shared/tokens';

/**
 * `POST /v1/agents/{id}/retire` (self or admin): the agent takes no new claims. `drain` lets its
 * claims finish; `release` returns them to ready. It is `retired` once it holds none.
 * 1. an agent retires only itself (403); 2. read it (404); 3. record the retirement (a versioned
 * put, so the claim guard refuses new claims from then on); 4. with `release`, each held item
 * goes back to ready in its own change (freeing the agent's capacity); 5. answer the agent as
 * stored now; 6. once it is retired (no claims left), delete its token.
 * @throws ForbiddenError, NotFoundError
 */
export const retireAgent = async (
  deps: Pick<Ports, 'clock' | 'ids' | 'agents' | 'work' | 'uow'> & SettingsDeps,
  ctx: RequestContext,
  input: RetireAgentBody & { id: string },
): Promise<AgentViewSchema> => {
  assertActsAs(ctx.principal, input.id);
  const settings = await currentSettings(deps);
  const { agent, now } = await changeAgent(deps, ctx, input.id, (current, cctx) => {
    const decision = decideRetirement(current, input.mode, Action.AgentRetired, cctx);
    return decision
      ? { agent: decision.agent, change: { writes: [decision.write], events: decision.events } }
      : { agent: current };
  });
  if (agent.retirement?.mode !== RetireMode.Release || agent.activeClaims === 0) {
    await revokeTokenOnceRetired(deps, agent);
    return presentAgent(agent, now, settings);
  }
  const wctx = workContextOf(deps, ctx, settings);
  await changeEach(deps, wctx, await heldItems(deps, agent.id), (item, context) =>
    item.claim?.agentId === agent.id ? revokeClaim(item, Action.WorkReleased, context) : undefined,
  );
  const released = await requireAgent(deps, agent.id);
  await revokeTokenOnceRetired(deps, released);
  return presentAgent(released, now, settings);
};
