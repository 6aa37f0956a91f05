import { updateAgent as decideUpdate } from '#core/agents/lifecycle';
import { assertActsAs } from '#core/authz';
import { Action } from '#core/events';
import type { Ports } from '#core/ports';
import type { RequestContext } from '../context';
import { presentAgent } from '../presenters';
import type { UpdateAgentBody } from '../schemas/agents';
import type { AgentViewSchema } from '../schemas/views';
import { currentSettings, type SettingsDeps } from '../settings';
import { changeAgent } from './shared/agent-change';

/**
 * `PATCH /v1/agents/{id}` (self or admin): change capabilities, capacity, metadata or the
 * heartbeat interval.
 * 1. an agent changes only itself (403); 2. read it (404); 3. apply the patch with a versioned
 * put and an `agent.updated` event; decide again when a claim or heartbeat wrote first.
 * @throws ForbiddenError, NotFoundError
 */
export const updateAgent = async (
  deps: Pick<Ports, 'clock' | 'ids' | 'agents' | 'uow'> & SettingsDeps,
  ctx: RequestContext,
  input: UpdateAgentBody & { id: string },
): Promise<AgentViewSchema> => {
  assertActsAs(ctx.principal, input.id);
  const settings = await currentSettings(deps);
  const { id, ...patch } = input;
  const { agent, now } = await changeAgent(deps, ctx, id, (current, cctx) => {
    const decision = decideUpdate(current, patch, Action.AgentUpdated, cctx);
    return { agent: decision.agent, change: { writes: [decision.write], events: decision.events } };
  });
  return presentAgent(agent, now, settings);
};
