/**
 * The read-only tools the model may call to answer a question, and that the heuristic uses for
 * the same questions. Each reads the snapshot only: no tool can change anything.
 */
import type { AgentStatus } from '../agents/status';
import type { JsonObject } from '../model';
import type { AiTool } from './model';
import { freeSlots, hoursLeft, inService, type Snapshot } from './snapshot';

/** Most rows a tool returns. */
const TOOL_ROWS = 50;

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

const filterSchema = (extra: JsonObject = {}): JsonObject => ({
  type: 'object',
  properties: { team: { type: 'string', description: 'only this team' }, ...extra },
  additionalProperties: false,
});

/** The tools, as the model sees them. */
export const READ_TOOLS: readonly AiTool[] = [
  {
    name: 'list_agents',
    description: 'Agents with status, load (activeClaims/capacity), capabilities and health.',
    inputSchema: filterSchema({
      status: { type: 'string', enum: ['active', 'idle', 'offline', 'retiring', 'retired'] },
    }),
  },
  {
    name: 'list_work',
    description: 'Open and escalated work items with status, priority, urgency, deadline and holder.',
    inputSchema: filterSchema({
      status: { type: 'string', enum: ['blocked', 'ready', 'claimed', 'in_progress', 'escalated'] },
    }),
  },
  {
    name: 'team_stats',
    description: 'Per team: agents by status, free slots, work by status, overdue items.',
    inputSchema: filterSchema(),
  },
  {
    name: 'list_escalations',
    description: 'Open escalations (work that needs a person).',
    inputSchema: filterSchema(),
  },
  {
    name: 'metrics',
    description: 'Totals across the service: agents in service, load, ready backlog, items at risk.',
    inputSchema: { type: 'object', properties: {}, additionalProperties: false },
  },
];

/** What a tool answered: the rows handed to the model and a one-line summary for `facts`. */
export interface ToolAnswer {
  readonly data: unknown;
  readonly summary: string;
}

const teamFilter = (input: JsonObject) => {
  const team = str(input.team);
  return <T extends { team: string }>(row: T) => team === undefined || row.team === team;
};

const listAgents = (snapshot: Snapshot, input: JsonObject): ToolAnswer => {
  const status = str(input.status) as AgentStatus | undefined;
  const rows = snapshot.agents
    .filter((facts) => teamFilter(input)(facts.agent) && (status === undefined || facts.status === status))
    .map(({ agent, status: s, health }) => ({
      id: agent.id,
      team: agent.team,
      status: s,
      activeClaims: agent.activeClaims,
      capacity: agent.capacity,
      capabilities: agent.capabilities,
      health: health.score,
      healthReasons: health.reasons,
    }));
  return { data: rows.slice(0, TOOL_ROWS), summary: `${rows.length} agents${status ? ` ${status}` : ''}` };
};

/** Overdue: a deadline in the past on an item not done. */
const overdue = (snapshot: Snapshot) =>
  snapshot.work.filter((item) => item.deadline !== undefined && hoursLeft(item.deadline, snapshot.now) < 0);

const listWork = (snapshot: Snapshot, input: JsonObject): ToolAnswer => {
  const status = str(input.status);
  const rows = snapshot.work
    .filter((item) => teamFilter(input)(item) && (status === undefined || item.status === status))
    .sort((a, b) => b.urgency - a.urgency)
    .map((item) => ({
      id: item.id,
      title: item.title,
      team: item.team,
      status: item.status,
      priority: item.priority,
      urgency: Math.round(item.urgency),
      ...(item.deadline ? { deadline: item.deadline } : {}),
      ...(item.claim ? { agentId: item.claim.agentId } : {}),
      ...(item.remainingDeps.length ? { waitingOn: item.remainingDeps } : {}),
      attempts: item.attempts,
    }));
  return {
    data: rows.slice(0, TOOL_ROWS),
    summary: `${rows.length} work items${status ? ` ${status}` : ''}`,
  };
};

/** Per-team figures. */
export interface TeamFigures {
  readonly team: string;
  readonly agents: Record<string, number>;
  readonly inService: number;
  readonly freeSlots: number;
  readonly capacity: number;
  readonly work: Record<string, number>;
  readonly overdue: number;
}

/** Per-team figures from the snapshot, sorted by team. */
export const teamFigures = (snapshot: Snapshot): TeamFigures[] => {
  const teams = new Set([...snapshot.agents.map((f) => f.agent.team), ...snapshot.work.map((i) => i.team)]);
  const late = overdue(snapshot);
  return [...teams].sort().map((team) => {
    const agents = snapshot.agents.filter((f) => f.agent.team === team);
    const serving = agents.filter(inService);
    const count = <T>(rows: readonly T[], key: (row: T) => string) =>
      rows.reduce<Record<string, number>>((acc, row) => {
        acc[key(row)] = (acc[key(row)] ?? 0) + 1;
        return acc;
      }, {});
    return {
      team,
      agents: count(agents, (f) => f.status),
      inService: serving.length,
      freeSlots: serving.reduce((sum, f) => sum + freeSlots(f), 0),
      capacity: serving.reduce((sum, f) => sum + f.agent.capacity, 0),
      work: count(
        snapshot.work.filter((i) => i.team === team),
        (i) => i.status,
      ),
      overdue: late.filter((i) => i.team === team).length,
    };
  });
};

const teamStats = (snapshot: Snapshot, input: JsonObject): ToolAnswer => {
  const rows = teamFigures(snapshot).filter(teamFilter(input));
  return { data: rows, summary: `figures of ${rows.length} teams` };
};

const listEscalations = (snapshot: Snapshot, input: JsonObject): ToolAnswer => {
  const rows = snapshot.escalations.filter(teamFilter(input)).map((e) => ({
    id: e.id,
    workId: e.workId,
    team: e.team,
    kind: e.kind,
    openedAt: e.openedAt,
  }));
  return { data: rows.slice(0, TOOL_ROWS), summary: `${rows.length} open escalations` };
};

const metrics = (snapshot: Snapshot): ToolAnswer => {
  const serving = snapshot.agents.filter(inService);
  const capacity = serving.reduce((sum, f) => sum + f.agent.capacity, 0);
  const held = serving.reduce((sum, f) => sum + f.agent.activeClaims, 0);
  const data = {
    agentsInService: serving.length,
    agentsOffline: snapshot.agents.filter((f) => f.status === 'offline').length,
    loadPercent: capacity ? Math.round((100 * held) / capacity) : 0,
    ready: snapshot.work.filter((i) => i.status === 'ready').length,
    blocked: snapshot.work.filter((i) => i.status === 'blocked').length,
    inFlight: snapshot.work.filter((i) => i.status === 'claimed' || i.status === 'in_progress').length,
    escalated: snapshot.work.filter((i) => i.status === 'escalated').length,
    overdue: overdue(snapshot).length,
    openEscalations: snapshot.escalations.length,
    partial: snapshot.truncated,
  };
  return { data, summary: `load ${data.loadPercent}%, ${data.ready} ready, ${data.overdue} overdue` };
};

const RUNNERS: Readonly<Record<string, (snapshot: Snapshot, input: JsonObject) => ToolAnswer>> = {
  list_agents: listAgents,
  list_work: listWork,
  team_stats: teamStats,
  list_escalations: listEscalations,
  metrics,
};

/** Runs a tool by name; an unknown tool or bad input answers an error the model can read. */
export const runTool = (snapshot: Snapshot, name: string, input: unknown): ToolAnswer => {
  const run = RUNNERS[name];
  if (!run) return { data: { error: `unknown tool ${name}` }, summary: `unknown tool ${name}` };
  const args =
    typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as JsonObject) : {};
  return run(snapshot, args);
};
