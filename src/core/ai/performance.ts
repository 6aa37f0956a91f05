/**
 * Performance per agent and per team over a window, against the window before it: throughput,
 * failure and lease-expiry rates from the audit log, estimate accuracy from the agents' running
 * counters, and suggestions that follow from them.
 */
import type { Agent, AuditEvent } from '../model';

/** Outcomes counted in one window. */
export interface Outcomes {
  readonly completed: number;
  readonly failed: number;
  readonly leaseExpiries: number;
}

/** One agent's or team's figures. */
export interface PerformanceFigures {
  readonly throughput: number;
  readonly previousThroughput: number;
  /** Percent change against the previous window; null when the previous one had none. */
  readonly trendPercent: number | null;
  readonly failureRate: number;
  readonly leaseExpiryRate: number;
  /** Mean actual/estimated time of completed items with an estimate (1 = on estimate); null without samples. */
  readonly estimateRatio: number | null;
}

export interface AgentPerformance extends PerformanceFigures {
  readonly agentId: string;
  readonly team: string;
}

export interface TeamPerformance extends PerformanceFigures {
  readonly team: string;
  readonly agents: number;
}

export interface PerformanceReport {
  readonly agents: readonly AgentPerformance[];
  readonly teams: readonly TeamPerformance[];
  readonly suggestions: readonly string[];
}

const EMPTY: Outcomes = { completed: 0, failed: 0, leaseExpiries: 0 };

/** Outcomes per agent from audit events (completions, failures, and the sweeper's lease releases). */
export const outcomesByAgent = (events: readonly AuditEvent[]): Map<string, Outcomes> => {
  const byAgent = new Map<string, Outcomes>();
  for (const event of events) {
    const agentId = event.agentId ?? (event.actor.type === 'agent' ? event.actor.id : undefined);
    if (agentId === undefined) continue;
    const current = byAgent.get(agentId) ?? EMPTY;
    if (event.action === 'work.completed')
      byAgent.set(agentId, { ...current, completed: current.completed + 1 });
    else if (event.action === 'work.failed') byAgent.set(agentId, { ...current, failed: current.failed + 1 });
    else if (
      (event.action === 'work.released' || event.action === 'work.escalated') &&
      event.actor.type === 'system'
    ) {
      byAgent.set(agentId, { ...current, leaseExpiries: current.leaseExpiries + 1 });
    }
  }
  return byAgent;
};

const round = (value: number, places = 2): number => Math.round(value * 10 ** places) / 10 ** places;

const figures = (
  now: Outcomes,
  before: Outcomes,
  speed: { sum: number; samples: number },
): PerformanceFigures => {
  const ended = now.completed + now.failed + now.leaseExpiries;
  return {
    throughput: now.completed,
    previousThroughput: before.completed,
    trendPercent: before.completed
      ? round((100 * (now.completed - before.completed)) / before.completed, 1)
      : null,
    failureRate: ended ? round(now.failed / ended) : 0,
    leaseExpiryRate: ended ? round(now.leaseExpiries / ended) : 0,
    estimateRatio: speed.samples ? round(speed.sum / speed.samples) : null,
  };
};

const add = (a: Outcomes, b: Outcomes): Outcomes => ({
  completed: a.completed + b.completed,
  failed: a.failed + b.failed,
  leaseExpiries: a.leaseExpiries + b.leaseExpiries,
});

/** Suggestions that follow from the figures (the heuristic's; Claude may add its own). */
export const suggestionsFor = (
  agents: readonly AgentPerformance[],
  teams: readonly TeamPerformance[],
): string[] => {
  const out: string[] = [];
  for (const a of agents) {
    if (a.failureRate >= 0.3)
      out.push(
        `${a.agentId}: ${Math.round(a.failureRate * 100)}% of its finished claims failed; review its failure reasons or narrow its capabilities.`,
      );
    if (a.leaseExpiryRate >= 0.2)
      out.push(
        `${a.agentId}: ${Math.round(a.leaseExpiryRate * 100)}% of its claims lost their lease; it should report progress or heartbeat more often, or get a longer lease.`,
      );
    if (a.estimateRatio !== null && a.estimateRatio >= 1.5)
      out.push(`${a.agentId}: takes ${a.estimateRatio}x the estimate; estimates for its work are too low.`);
  }
  for (const t of teams) {
    if (t.trendPercent !== null && t.trendPercent <= -50)
      out.push(`Team ${t.team}: throughput fell ${-t.trendPercent}% against the previous window.`);
  }
  if (out.length === 0)
    out.push('No agent or team stands out: failure and lease-expiry rates are low and throughput is steady.');
  return out;
};

/** The report from the agents and the outcomes of this window and the one before. */
export const performanceReport = (
  agents: readonly Agent[],
  current: Map<string, Outcomes>,
  previous: Map<string, Outcomes>,
): PerformanceReport => {
  const agentRows: AgentPerformance[] = agents
    .map((agent) => ({
      agentId: agent.id,
      team: agent.team,
      ...figures(current.get(agent.id) ?? EMPTY, previous.get(agent.id) ?? EMPTY, {
        sum: agent.stats.speedRatioSum,
        samples: agent.stats.speedSamples,
      }),
    }))
    .sort((a, b) => a.team.localeCompare(b.team) || a.agentId.localeCompare(b.agentId));
  const teams = [...new Set(agents.map((a) => a.team))].sort().map((team) => {
    const members = agents.filter((a) => a.team === team);
    const sum = (map: Map<string, Outcomes>) =>
      members.reduce((acc, a) => add(acc, map.get(a.id) ?? EMPTY), EMPTY);
    return {
      team,
      agents: members.length,
      ...figures(sum(current), sum(previous), {
        sum: members.reduce((s, a) => s + a.stats.speedRatioSum, 0),
        samples: members.reduce((s, a) => s + a.stats.speedSamples, 0),
      }),
    };
  });
  return { agents: agentRows, teams, suggestions: suggestionsFor(agentRows, teams) };
};
