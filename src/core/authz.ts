import { ForbiddenError } from './errors';
import type { Actor, Agent, WorkItem } from './model';
import { ActorType, type Principal, Role } from './roles';

/** The audit actor of a principal. */
export const actorOf = (principal: Principal): Actor => ({ type: principal.role, id: principal.id });

/** The system itself (sweeper, queue consumers). */
export const SYSTEM_ACTOR: Actor = { type: ActorType.System, id: 'system' };

/**
 * An agent acts only as itself: naming another agent (in a body's `agentId` or a path's `{id}`)
 * is forbidden. Other roles pass (the route table already limits which roles reach a route).
 * @throws ForbiddenError when an agent names another agent.
 */
export const assertActsAs = (principal: Principal, agentId: string): void => {
  if (principal.role === Role.Agent && principal.agentId !== agentId) {
    throw new ForbiddenError(`An agent token may act only as its own agent, not as ${agentId}.`);
  }
};

/**
 * Agents read only their own record; viewers and admins read any.
 * @throws ForbiddenError when an agent asks for another agent's record.
 */
export const assertCanReadAgent = assertActsAs;

/**
 * Admins cancel anything; an agent cancels only items it created.
 * @throws ForbiddenError otherwise.
 */
export const assertCanCancel = (principal: Principal, item: Pick<WorkItem, 'id' | 'createdBy'>): void => {
  if (principal.role === Role.Admin) return;
  const isCreator =
    principal.role === Role.Agent &&
    item.createdBy.type === ActorType.Agent &&
    item.createdBy.id === (principal.agentId ?? principal.id);
  if (!isCreator) throw new ForbiddenError(`Only an admin or the creator may cancel work item ${item.id}.`);
};

/**
 * A registration token limited to a team registers agents of that team only.
 * @throws ForbiddenError when the token's team differs from `team`.
 */
export const assertCanRegister = (principal: Principal, team: string): void => {
  if (principal.team !== undefined && principal.role !== Role.Admin && principal.team !== team) {
    throw new ForbiddenError(`This token registers agents of team ${principal.team} only.`);
  }
};

/**
 * An agent registered with a team-limited registration token works only in that team: it
 * claims, creates and is assigned work there and nowhere else.
 * @param limit the team the agent is limited to (`undefined`: not limited)
 * @throws ForbiddenError when `team` is another team.
 */
export const assertWorksIn = (limit: string | undefined, team: string, agentId: string): void => {
  if (limit !== undefined && limit !== team) {
    throw new ForbiddenError(`Agent ${agentId} works in team ${limit} only, not in ${team}.`, {
      team: limit,
    });
  }
};

/** The team an agent is limited to, if it is. */
export const teamLimitOf = (agent: Pick<Agent, 'team' | 'limitedToTeam'>): string | undefined =>
  agent.limitedToTeam ? agent.team : undefined;

/** The agent a principal acts as, if it is an agent. */
export const agentIdOf = (principal: Principal): string | undefined =>
  principal.role === Role.Agent ? (principal.agentId ?? principal.id) : undefined;
