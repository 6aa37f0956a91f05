import { agentStatus } from '#core/agents/liveness';
import { AGENT_STATUSES, AgentStatus } from '#core/agents/status';
import { forecastTeam } from '#core/forecast';
import type { Agent, WorkItem } from '#core/model';
import type { Ports } from '#core/ports';
import type { Settings } from '#core/settings';
import { OPEN_STATUSES, type WorkStatus } from '#core/work/status';
import type { RequestContext } from '../context';
import { MAX_TEAMS_PAGE, type TeamsQuery } from '../schemas/admin';
import type { TeamPage, TeamSummary } from '../schemas/views';
import { currentSettings, type SettingsDeps } from '../settings';
import { mapConcurrent } from './shared/concurrent';
import { DEFAULT_PAGE_LIMIT } from './shared/context';

export { MAX_TEAMS_PAGE };

/** Agents read per team at most (pages of 200). */
const MAX_AGENT_PAGES = 5;
/** Open items read per team and status for the forecast; the rest count at the default estimate. */
const OPEN_ITEMS_READ = 200;
/** Teams summarised at once: each asks the store about 150 queries (counts and lists over shards). */
const TEAMS_AT_ONCE = 4;

type Deps = Pick<Ports, 'clock' | 'teams' | 'agents' | 'work'> & SettingsDeps;

const teamAgents = async (deps: Deps, team: string): Promise<Agent[]> => {
  const agents: Agent[] = [];
  let cursor: string | undefined;
  for (let read = 0; read < MAX_AGENT_PAGES; read += 1) {
    const page = await deps.agents.list({ team, limit: 200, ...(cursor === undefined ? {} : { cursor }) });
    agents.push(...page.items);
    cursor = page.nextCursor;
    if (cursor === undefined) break;
  }
  return agents;
};

const openItems = async (deps: Deps, team: string): Promise<WorkItem[]> => {
  const pages = await Promise.all(
    OPEN_STATUSES.map((status) => deps.work.list({ team, status, limit: OPEN_ITEMS_READ })),
  );
  return pages.flatMap((page) => page.items);
};

const summarize = async (deps: Deps, team: string, settings: Settings, now: Date): Promise<TeamSummary> => {
  const [agents, work, items] = await Promise.all([
    teamAgents(deps, team),
    deps.work.countByStatus(team),
    openItems(deps, team),
  ]);
  const agentCounts = Object.fromEntries(AGENT_STATUSES.map((status) => [status, 0])) as Record<
    AgentStatus,
    number
  >;
  let slots = 0;
  for (const agent of agents) {
    const status = agentStatus(agent, now, settings.heartbeatTimeoutMultiple);
    agentCounts[status] += 1;
    if (status === AgentStatus.Active || status === AgentStatus.Idle) slots += agent.capacity;
  }
  const openCount = OPEN_STATUSES.reduce((sum, status: WorkStatus) => sum + (work[status] ?? 0), 0);
  const forecast = forecastTeam({
    items,
    unreadItems: Math.max(0, openCount - items.length),
    slots,
    now,
    weights: settings.urgencyWeights,
  });
  return {
    team,
    agents: agentCounts,
    work: { ...work },
    forecast: { ...forecast, atRisk: [...forecast.atRisk] },
  };
};

/**
 * `GET /v1/teams`: per team, agents by derived status, work by status, and a forecast
 * `{etaMinutes, atRisk}` from estimates (30 min when absent), the capacity of the agents in
 * service (active or idle) and deadlines.
 * 1. read one page of team names (`limit` at most {@link MAX_TEAMS_PAGE}, the cursor names the
 * last team answered); 2. per team: read its agents, count its work by status, read its open
 * items; 3. forecast. The store work of a call is bounded by the page size.
 */
export const listTeams = async (deps: Deps, _ctx: RequestContext, query: TeamsQuery): Promise<TeamPage> => {
  const settings = await currentSettings(deps);
  const now = deps.clock.now();
  const limit = Math.min(query.limit ?? DEFAULT_PAGE_LIMIT, MAX_TEAMS_PAGE);
  const page = await deps.teams.list({
    limit,
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
  });
  const items = await mapConcurrent(page.items, TEAMS_AT_ONCE, (team) =>
    summarize(deps, team, settings, now),
  );
  return { items, ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }) };
};
