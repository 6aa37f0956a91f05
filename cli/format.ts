/** Human renderings of API replies (the `--json` output is the reply itself). */
import type { AgentViewSchema, TeamSummary, WorkView } from '#app/schemas/views';
import { table } from './io';
import { printable, truncate } from './text';

const MAX_TITLE_COLUMN = 60;

/** A cell of at most `length` code points, on one line (control characters escaped first). */
const cut = (text: string, length: number): string => truncate(printable(text), length);

/** Work items as an aligned table. */
export const workTable = (items: readonly WorkView[]): string[] =>
  table([
    ['ID', 'STATUS', 'TEAM', 'PRIORITY', 'AGENT', 'PROGRESS', 'TITLE'],
    ...items.map((item) => [
      item.id,
      item.status,
      item.team,
      item.priority,
      item.claim?.agentId ?? '-',
      `${item.progress}%`,
      cut(item.title, MAX_TITLE_COLUMN),
    ]),
  ]);

/** Agents as an aligned table. */
export const agentTable = (agents: readonly AgentViewSchema[]): string[] =>
  table([
    ['ID', 'TEAM', 'STATUS', 'CLAIMS', 'HEALTH', 'CAPABILITIES', 'LAST HEARTBEAT'],
    ...agents.map((agent) => [
      agent.id,
      agent.team,
      agent.status,
      `${agent.activeClaims}/${agent.capacity}`,
      String(agent.health.score),
      agent.capabilities.join(',') || '-',
      agent.lastHeartbeatAt,
    ]),
  ]);

/** Teams with their counts and forecast. */
export const teamTable = (teams: readonly TeamSummary[]): string[] => {
  const nonZero = (counts: Record<string, number>) =>
    Object.entries(counts)
      .filter(([, count]) => count > 0)
      .map(([status, count]) => `${status} ${count}`)
      .join(', ') || '-';
  return table([
    ['TEAM', 'AGENTS', 'WORK', 'ETA', 'AT RISK'],
    ...teams.map((team) => [
      team.team,
      nonZero(team.agents),
      nonZero(team.work),
      team.forecast.etaMinutes === null ? '-' : `${Math.round(team.forecast.etaMinutes)} min`,
      String(team.forecast.atRisk.length),
    ]),
  ]);
};

/** One work item, one field per line. */
export const workDetails = (item: WorkView): string[] => {
  const lines: [string, string | undefined][] = [
    ['id', item.id],
    ['title', item.title],
    ['type', item.type],
    ['team', item.team],
    ['status', item.status],
    ['priority', `${item.priority} (urgency ${item.urgency})`],
    ['progress', `${item.progress}%`],
    ['attempts', `${item.attempts}/${item.maxAttempts}`],
    ['holder', item.claim ? `${item.claim.agentId} (lease until ${item.claim.leaseExpiresAt})` : undefined],
    ['deadline', item.deadline],
    ['depends on', item.dependsOn.length > 0 ? item.dependsOn.join(', ') : undefined],
    ['blocked by', item.blockedBy.length > 0 ? item.blockedBy.join(', ') : undefined],
    ['last note', item.lastNote],
    ['result', item.result === undefined ? undefined : JSON.stringify(item.result)],
    ['failure', item.failure ? `${item.failure.reason} (retryable: ${item.failure.retryable})` : undefined],
    ['created', `${item.createdAt} by ${item.createdBy.type} ${item.createdBy.id}`],
    ['updated', item.updatedAt],
    ['completed', item.completedAt],
    ['description', item.description],
  ];
  return table(
    lines.filter((line): line is [string, string] => line[1] !== undefined).map(([k, v]) => [`${k}:`, v]),
  );
};
