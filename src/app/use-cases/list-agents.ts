import type { Ports } from '#core/ports';
import type { RequestContext } from '../context';
import { presentAgent } from '../presenters';
import type { ListAgentsQuery } from '../schemas/agents';
import type { AgentPage, AgentViewSchema } from '../schemas/views';
import { currentSettings, type SettingsDeps } from '../settings';
import { DEFAULT_PAGE_LIMIT } from './shared/context';

/** Store pages read for one answer when a status filter leaves few matches. */
export const MAX_PAGES_PER_ANSWER = 10;

/**
 * `GET /v1/agents`: a page of agents, filtered by team (in the store) and by derived status
 * (after reading, since status is never stored).
 * 1. read store pages, each no larger than the room left in the answer, so no agent is ever
 * skipped between pages; 2. keep those whose status (at now) matches; 3. stop when the answer
 * is full, the store has no more, or after `MAX_PAGES_PER_ANSWER` reads; `nextCursor` is the
 * store's, so a filtered answer may be short yet paging stays complete.
 */
export const listAgents = async (
  deps: Pick<Ports, 'clock' | 'agents'> & SettingsDeps,
  _ctx: RequestContext,
  query: ListAgentsQuery,
): Promise<AgentPage> => {
  const settings = await currentSettings(deps);
  const now = deps.clock.now();
  const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
  const items: AgentViewSchema[] = [];
  let cursor = query.cursor;
  for (let read = 0; read < MAX_PAGES_PER_ANSWER && items.length < limit; read += 1) {
    const page = await deps.agents.list({
      limit: limit - items.length,
      ...(query.team === undefined ? {} : { team: query.team }),
      ...(cursor === undefined ? {} : { cursor }),
    });
    const views = page.items.map((agent) => presentAgent(agent, now, settings));
    items.push(...views.filter((view) => query.status === undefined || view.status === query.status));
    cursor = page.nextCursor;
    if (cursor === undefined) break;
  }
  return { items, ...(cursor === undefined ? {} : { nextCursor: cursor }) };
};
