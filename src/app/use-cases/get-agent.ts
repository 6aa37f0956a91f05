import { assertCanReadAgent } from '#core/authz';
import type { Ports } from '#core/ports';
import type { RequestContext } from '../context';
import { presentAgent } from '../presenters';
import type { AgentViewSchema } from '../schemas/views';
import { currentSettings, type SettingsDeps } from '../settings';
import { requireAgent } from './shared/lookups';

/**
 * `GET /v1/agents/{id}`: the agent with derived status, health and active claims.
 * 1. an agent reads only itself (403); 2. read it (404); 3. present it at now.
 * @throws ForbiddenError, NotFoundError
 */
export const getAgent = async (
  deps: Pick<Ports, 'clock' | 'agents'> & SettingsDeps,
  ctx: RequestContext,
  input: { id: string },
): Promise<AgentViewSchema> => {
  assertCanReadAgent(ctx.principal, input.id);
  const [agent, settings] = await Promise.all([requireAgent(deps, input.id), currentSettings(deps)]);
  return presentAgent(agent, deps.clock.now(), settings);
};
