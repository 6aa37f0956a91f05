import { agentEvent, newAgent } from '#core/agents/lifecycle';
import { assertCanRegister } from '#core/authz';
import { AgentExistsError } from '#core/errors';
import { Action } from '#core/events';
import type { Agent } from '#core/model';
import type { Ports } from '#core/ports';
import { Role } from '#core/roles';
import { iso } from '#core/time';
import type { RequestContext } from '../context';
import { presentAgent } from '../presenters';
import type { RegisterAgentBody } from '../schemas/agents';
import type { RegisterAgentResult } from '../schemas/views';
import { currentSettings, type SettingsDeps } from '../settings';
import { changeContextOf } from './shared/context';
import { conflictsOn, decideAndCommit } from './shared/optimistic';
import { type DrawnToken, drawToken } from './shared/tokens';

/**
 * `POST /v1/agents`: register an agent and issue its token (shown once).
 * 1. a team-limited registration token registers only its team (403); 2. record the team;
 * 3. draw the token `<tokenId>.<secret>` (only the secret's hash is stored); 4. commit the agent
 * (must not exist), the token and the `agent.registered` event together; an agent that exists
 * answers 409 agent_exists, a taken token id draws another.
 * @throws ForbiddenError, AgentExistsError
 */
export const registerAgent = async (
  deps: Pick<Ports, 'clock' | 'ids' | 'hasher' | 'teams' | 'uow'> & SettingsDeps,
  ctx: RequestContext,
  body: RegisterAgentBody,
): Promise<RegisterAgentResult> => {
  assertCanRegister(ctx.principal, body.team);
  const settings = await currentSettings(deps);
  await deps.teams.ensure(body.team);
  const cctx = changeContextOf(deps, ctx);
  // A team-limited registration token makes a team-limited agent (see `assertWorksIn`).
  const limit = ctx.principal.team === undefined ? {} : { limitedToTeam: true as const };
  const draw = () =>
    drawToken(deps, {
      role: Role.Agent,
      agentId: body.id,
      team: body.team,
      ...limit,
      createdAt: iso(cctx.now),
    });
  const { agent, token } = await decideAndCommit<DrawnToken, { agent: Agent; token: string }>(
    deps.uow,
    draw(),
    (token) => {
      const agent = { ...newAgent(body, token.id, cctx.now), ...limit };
      return {
        change: {
          writes: [
            { kind: 'agent', agent, expectedVersion: null },
            { kind: 'tokenPut', token: token.record },
          ],
          events: [agentEvent(cctx, Action.AgentRegistered, undefined, agent)],
        },
        result: { agent, token: token.bearer },
      };
    },
    async (conflict) => {
      if (conflictsOn(conflict, ['agent'], body.id)) throw new AgentExistsError(body.id);
      return draw();
    },
  );
  return { agent: presentAgent(agent, cctx.now, settings), token };
};
