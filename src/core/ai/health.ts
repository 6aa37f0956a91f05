/**
 * The heuristic health assessment: findings from agents, work, escalations and queues, each with
 * a stable id (so an alert escalates once per finding) and a severity; critical ones are alerts.
 */
import { hoursLeft, inService, type Snapshot } from './snapshot';
import { teamFigures } from './tools';

export const Severity = { Info: 'info', Warning: 'warning', Critical: 'critical' } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

/** One thing worth knowing about the service's health. */
export interface Finding {
  /** Stable while the condition lasts, e.g. `agent_offline_holding:a1`. */
  readonly id: string;
  readonly severity: Severity;
  /** What it is about: `agent:<id>`, `team:<name>`, `work:<id>`, `queue:<name>`. */
  readonly subject: string;
  readonly message: string;
  /** The team it concerns, when it concerns one. */
  readonly team?: string;
}

/** Depth of a queue and its dead-letter queue. */
export interface QueueDepth {
  readonly queue: string;
  readonly visible: number;
  readonly deadLetters: number;
}

/** Overall status: the worst severity found. */
export type HealthStatus = 'healthy' | 'degraded' | 'critical';

/** A health assessment. */
export interface Assessment {
  readonly status: HealthStatus;
  readonly findings: readonly Finding[];
  readonly alerts: readonly Finding[];
}

const LOW_HEALTH = 50;

/** Findings of the heuristic, most severe first. */
export const healthFindings = (snapshot: Snapshot, queues: readonly QueueDepth[] = []): Finding[] => {
  const findings: Finding[] = [];
  for (const { agent, status, health } of snapshot.agents) {
    if (status === 'offline' && agent.activeClaims > 0) {
      findings.push({
        id: `agent_offline_holding:${agent.id}`,
        severity: Severity.Critical,
        subject: `agent:${agent.id}`,
        team: agent.team,
        message: `${agent.id} is offline and still holds ${agent.activeClaims} item(s); their leases will expire.`,
      });
    } else if (status !== 'retired' && status !== 'offline' && health.score < LOW_HEALTH) {
      findings.push({
        id: `agent_low_health:${agent.id}`,
        severity: Severity.Warning,
        subject: `agent:${agent.id}`,
        team: agent.team,
        message: `${agent.id} has health ${health.score}: ${health.reasons.join('; ')}.`,
      });
    }
  }
  for (const team of teamFigures(snapshot)) {
    const ready = team.work.ready ?? 0;
    if (ready > 0 && team.inService === 0) {
      findings.push({
        id: `team_unstaffed:${team.team}`,
        severity: Severity.Critical,
        subject: `team:${team.team}`,
        team: team.team,
        message: `Team ${team.team} has ${ready} ready item(s) and no agent in service.`,
      });
    } else if (ready > 2 * Math.max(1, team.capacity)) {
      findings.push({
        id: `team_backlog:${team.team}`,
        severity: Severity.Warning,
        subject: `team:${team.team}`,
        team: team.team,
        message: `Team ${team.team} has ${ready} ready items for ${team.capacity} slots.`,
      });
    }
  }
  for (const item of snapshot.work) {
    if (
      item.deadline !== undefined &&
      item.status !== 'escalated' &&
      hoursLeft(item.deadline, snapshot.now) < 0
    ) {
      findings.push({
        id: `work_overdue:${item.id}`,
        severity: item.priority === 'critical' ? Severity.Critical : Severity.Warning,
        subject: `work:${item.id}`,
        team: item.team,
        message: `${item.id} (${item.priority}) passed its deadline ${item.deadline} and is ${item.status}.`,
      });
    }
  }
  if (snapshot.escalations.length > 0) {
    findings.push({
      id: 'escalations_open',
      severity: Severity.Warning,
      subject: 'escalations',
      message: `${snapshot.escalations.length} escalation(s) wait for a person.`,
    });
  }
  for (const queue of queues) {
    if (queue.deadLetters > 0) {
      findings.push({
        id: `queue_dead_letters:${queue.queue}`,
        severity: Severity.Critical,
        subject: `queue:${queue.queue}`,
        message: `${queue.deadLetters} message(s) of ${queue.queue} are in its dead-letter queue.`,
      });
    }
  }
  if (snapshot.agents.length > 0 && !snapshot.agents.some(inService)) {
    findings.push({
      id: 'no_agent_in_service',
      severity: Severity.Critical,
      subject: 'agents',
      message: 'No agent is active or idle.',
    });
  }
  const rank = { critical: 0, warning: 1, info: 2 } as const;
  return findings.sort((a, b) => rank[a.severity] - rank[b.severity] || a.id.localeCompare(b.id));
};

/** The assessment of a list of findings: alerts are the critical ones. */
export const assess = (findings: readonly Finding[]): Assessment => {
  const alerts = findings.filter((f) => f.severity === Severity.Critical);
  const status: HealthStatus = alerts.length
    ? 'critical'
    : findings.some((f) => f.severity === Severity.Warning)
      ? 'degraded'
      : 'healthy';
  return { status, findings, alerts };
};
