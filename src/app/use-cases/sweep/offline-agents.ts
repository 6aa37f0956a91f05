import type { ChangeContext } from '#core/audit';
import { UnavailableError } from '#core/errors';
import type { Agent } from '#core/model';
import type { Ports } from '#core/ports';
import type { Settings } from '#core/settings';
import { markAgentOffline } from '#core/work/sweep';
import { decideAndCommit, refreshed } from '../shared/optimistic';

/** What announcing offline agents did. */
export interface OfflineAgents {
  /** Agents announced offline (an `agent.status` event each). */
  readonly announced: number;
  /** Where the next pass goes on; absent when this one reached the end of the agents. */
  readonly cursor?: string;
}

/**
 * One page of agents (at most `limit`, from `cursor`) is checked for silence: an agent past its
 * heartbeat timeout is announced `offline` once per silence, conditional on its version (a
 * heartbeat or claim that wins the race makes it not offline, or not due, any more). Agents are
 * few next to work items, so the pages rotate through all of them over successive passes.
 */
export const announceOfflineAgents = async (
  deps: Pick<Ports, 'agents' | 'uow'>,
  ctx: ChangeContext & { readonly settings: Settings },
  page: { readonly limit: number; readonly cursor?: string },
): Promise<OfflineAgents> => {
  const agents = await deps.agents.list(page);
  let announced = 0;
  for (const agent of agents.items) {
    const notice = await decideAndCommit<Agent | undefined, boolean>(
      deps.uow,
      agent,
      (current) => {
        const decision = current && markAgentOffline(current, ctx);
        return decision ? { change: decision.change, result: true } : { result: false };
      },
      (conflict, current) =>
        refreshed<Agent | undefined>(conflict, ['agent', 'agentClaims'], agent.id, current, () =>
          deps.agents.get(agent.id),
        ),
    ).catch((error: unknown) => {
      // One contended agent must not hold up the pass; the next one finds it again.
      if (!(error instanceof UnavailableError)) throw error;
      return false;
    });
    if (notice) announced += 1;
  }
  return agents.nextCursor === undefined ? { announced } : { announced, cursor: agents.nextCursor };
};
