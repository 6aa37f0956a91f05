import { NotFoundError } from '#core/errors';
import { type Agent, EntityType, type WorkItem } from '#core/model';
import type { Ports } from '#core/ports';

/**
 * The work item with this id.
 * @throws NotFoundError when there is none.
 */
export const requireWork = async (deps: Pick<Ports, 'work'>, id: string): Promise<WorkItem> => {
  const item = await deps.work.get(id);
  if (!item) throw new NotFoundError(EntityType.Work, id);
  return item;
};

/**
 * The agent with this id.
 * @throws NotFoundError when there is none.
 */
export const requireAgent = async (deps: Pick<Ports, 'agents'>, id: string): Promise<Agent> => {
  const agent = await deps.agents.get(id);
  if (!agent) throw new NotFoundError(EntityType.Agent, id);
  return agent;
};
