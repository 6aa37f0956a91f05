import { replaceToken } from '#core/agents/lifecycle';
import { Action } from '#core/events';
import type { Ports, Write } from '#core/ports';
import { Role } from '#core/roles';
import { iso } from '#core/time';
import type { RequestContext } from '../context';
import type { AgentTokenIssued } from '../schemas/views';
import { changeAgent } from './shared/agent-change';
import { drawToken } from './shared/tokens';

/**
 * `POST /v1/agents/{id}/token` (admin): a new agent token (shown once); earlier ones stop working.
 * 1. read the agent (404); 2. draw a token; 3. commit the new token record, the deletion of the
 * agent's current one and the agent naming the new one, in one change; decide again on a lost race.
 * @throws NotFoundError
 */
export const issueAgentToken = async (
  deps: Pick<Ports, 'clock' | 'ids' | 'hasher' | 'agents' | 'uow'>,
  ctx: RequestContext,
  input: { id: string },
): Promise<AgentTokenIssued> => {
  const { extra: bearer } = await changeAgent<string>(deps, ctx, input.id, (agent, cctx) => {
    const token = drawToken(deps, {
      role: Role.Agent,
      agentId: agent.id,
      team: agent.team,
      ...(agent.limitedToTeam && { limitedToTeam: agent.limitedToTeam }),
      createdAt: iso(cctx.now),
    });
    const decision = replaceToken(agent, token.id, Action.AgentTokenIssued, cctx);
    const retireOld: Write[] =
      agent.tokenId === undefined ? [] : [{ kind: 'tokenDelete', tokenId: agent.tokenId }];
    return {
      agent: decision.agent,
      change: {
        writes: [{ kind: 'tokenPut', token: token.record }, ...retireOld, decision.write],
        events: decision.events,
      },
      extra: token.bearer,
    };
  });
  if (bearer === undefined) throw new Error('issueAgentToken: the decision drew no token');
  return { token: bearer };
};
