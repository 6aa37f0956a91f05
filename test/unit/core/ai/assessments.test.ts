import { describe, expect, it } from 'vitest';
import { assess, healthFindings, Severity } from '#core/ai/health';
import { outcomesByAgent, performanceReport, suggestionsFor } from '#core/ai/performance';
import type { AgentFacts, Snapshot } from '#core/ai/snapshot';
import type { Escalation } from '#core/escalations/escalation';
import { Action } from '#core/events';
import type { Agent } from '#core/model';
import { ActorType } from '#core/roles';
import { anEvent } from '#test/support/builders';
import { anAgent, aWorkItem, minutesFromNow, NOW } from '../builders';

const facts = (
  agent: Partial<Agent>,
  status: AgentFacts['status'] = 'active',
  score = 100,
  reasons: string[] = [],
): AgentFacts => ({ agent: anAgent(agent), status, health: { score, reasons } });

const snapshot = (overrides: Partial<Snapshot> = {}): Snapshot => ({
  now: NOW,
  agents: [],
  work: [],
  escalations: [],
  truncated: false,
  ...overrides,
});

describe('healthFindings', () => {
  it('finds nothing in a quiet service, which is healthy', () => {
    const quiet = snapshot({ agents: [facts({ id: 'a' })], work: [aWorkItem()] });

    expect(healthFindings(quiet)).toEqual([]);
    expect(assess(healthFindings(quiet))).toEqual({ status: 'healthy', findings: [], alerts: [] });
  });

  it('alerts on an offline agent that holds work, warns on low health of an agent still serving', () => {
    const findings = healthFindings(
      snapshot({
        agents: [
          facts({ id: 'holder', activeClaims: 2, capacity: 2 }, 'offline'),
          facts({ id: 'idle-offline' }, 'offline', 10),
          facts({ id: 'sick' }, 'active', 49, ['late heartbeats', 'fails often']),
          facts({ id: 'fine' }, 'active', 50),
          facts({ id: 'old' }, 'retired', 0),
        ],
      }),
    );

    expect(findings).toEqual([
      {
        id: 'agent_offline_holding:holder',
        severity: Severity.Critical,
        subject: 'agent:holder',
        team: 'core',
        message: 'holder is offline and still holds 2 item(s); their leases will expire.',
      },
      {
        id: 'agent_low_health:sick',
        severity: Severity.Warning,
        subject: 'agent:sick',
        team: 'core',
        message: 'sick has health 49: late heartbeats; fails often.',
      },
    ]);
  });

  it('alerts on a team with ready work and nobody in service, warns on a backlog over twice its slots', () => {
    const findings = healthFindings(
      snapshot({
        agents: [facts({ id: 'w', team: 'web', capacity: 1 }), facts({ id: 'o', team: 'ops' }, 'offline')],
        work: [
          aWorkItem({ id: 'o1', team: 'ops' }),
          ...['w1', 'w2', 'w3'].map((id) => aWorkItem({ id, team: 'web' })),
        ],
      }),
    );

    expect(findings.map((f) => [f.id, f.severity])).toEqual([
      ['team_unstaffed:ops', 'critical'],
      ['team_backlog:web', 'warning'],
    ]);
    expect(findings[1]?.message).toBe('Team web has 3 ready items for 1 slots.');
  });

  it('does not call two ready items per slot a backlog', () => {
    const findings = healthFindings(
      snapshot({
        agents: [facts({ id: 'w', team: 'web', capacity: 1 })],
        work: ['w1', 'w2'].map((id) => aWorkItem({ id, team: 'web' })),
      }),
    );

    expect(findings).toEqual([]);
  });

  it('flags overdue work by priority, except escalated items and deadlines still ahead', () => {
    const findings = healthFindings(
      snapshot({
        agents: [facts({ id: 'a', capacity: 10 })],
        work: [
          aWorkItem({ id: 'crit', priority: 'critical', deadline: minutesFromNow(-1) }),
          aWorkItem({ id: 'med', deadline: minutesFromNow(-1) }),
          aWorkItem({ id: 'esc', status: 'escalated', deadline: minutesFromNow(-1) }),
          aWorkItem({ id: 'ahead', deadline: minutesFromNow(60) }),
        ],
      }),
    );

    expect(findings.map((f) => [f.id, f.severity])).toEqual([
      ['work_overdue:crit', 'critical'],
      ['work_overdue:med', 'warning'],
    ]);
    expect(findings[1]?.message).toBe(`med (medium) passed its deadline ${minutesFromNow(-1)} and is ready.`);
  });

  it('warns on open escalations, alerts on dead letters and on no agent in service; most severe first', () => {
    const escalation = { id: 'e1' } as unknown as Escalation;
    const findings = healthFindings(
      snapshot({ agents: [facts({ id: 'r' }, 'retiring')], escalations: [escalation, escalation] }),
      [
        { queue: 'assignments', visible: 3, deadLetters: 2 },
        { queue: 'heartbeats', visible: 9, deadLetters: 0 },
      ],
    );

    expect(findings.map((f) => [f.id, f.severity])).toEqual([
      ['no_agent_in_service', 'critical'],
      ['queue_dead_letters:assignments', 'critical'],
      ['escalations_open', 'warning'],
    ]);
    expect(findings[1]?.message).toBe('2 message(s) of assignments are in its dead-letter queue.');
    expect(findings[2]?.message).toBe('2 escalation(s) wait for a person.');
  });
});

describe('assess', () => {
  const finding = (severity: Severity, id = severity) => ({ id, severity, subject: 'agents', message: id });

  it('is critical with the critical findings as alerts', () => {
    const findings = [finding(Severity.Critical), finding(Severity.Warning), finding(Severity.Info)];

    expect(assess(findings)).toEqual({ status: 'critical', findings, alerts: [findings[0]] });
  });

  it('is degraded on warnings alone, healthy on information alone', () => {
    expect(assess([finding(Severity.Warning), finding(Severity.Info)]).status).toBe('degraded');
    expect(assess([finding(Severity.Info)])).toMatchObject({ status: 'healthy', alerts: [] });
  });
});

describe('outcomesByAgent', () => {
  it('counts completions, failures and the system releasing or escalating a lapsed claim, per agent', () => {
    const system = { type: ActorType.System, id: 'sweeper' };
    const outcomes = outcomesByAgent([
      anEvent({ action: Action.WorkCompleted, actor: { type: ActorType.Agent, id: 'a1' } }),
      anEvent({ action: Action.WorkCompleted, actor: { type: ActorType.Agent, id: 'a1' } }),
      anEvent({ action: Action.WorkFailed, actor: { type: ActorType.Agent, id: 'a1' } }),
      anEvent({ action: Action.WorkReleased, actor: system, agentId: 'a1' }),
      anEvent({ action: Action.WorkEscalated, actor: system, agentId: 'a2' }),
      // An agent releasing its own claim is no lease expiry; a claim is no outcome; events of nobody are skipped.
      anEvent({ action: Action.WorkReleased, actor: { type: ActorType.Agent, id: 'a2' } }),
      anEvent({ action: Action.WorkCompleted }),
      anEvent({ action: Action.WorkClaimed, actor: { type: ActorType.Agent, id: 'a3' } }),
    ]);

    expect(Object.fromEntries(outcomes)).toEqual({
      a1: { completed: 2, failed: 1, leaseExpiries: 1 },
      a2: { completed: 0, failed: 0, leaseExpiries: 1 },
    });
  });
});

describe('performanceReport', () => {
  const stats = (speedRatioSum: number, speedSamples: number) => ({
    claims: 0,
    completed: 0,
    failed: 0,
    leaseExpiries: 0,
    speedRatioSum,
    speedSamples,
  });

  it('gives each agent and team its throughput, trend, rates and estimate ratio, sorted by team', () => {
    const report = performanceReport(
      [
        anAgent({ id: 'b', team: 'web', stats: stats(3, 2) }),
        anAgent({ id: 'a2', team: 'core', stats: stats(0, 0) }),
        anAgent({ id: 'a1', team: 'core', stats: stats(1, 1) }),
      ],
      new Map([
        ['a1', { completed: 3, failed: 1, leaseExpiries: 0 }],
        ['b', { completed: 1, failed: 0, leaseExpiries: 0 }],
      ]),
      new Map([
        ['a1', { completed: 2, failed: 0, leaseExpiries: 0 }],
        ['b', { completed: 4, failed: 0, leaseExpiries: 0 }],
      ]),
    );

    expect(report.agents).toEqual([
      {
        agentId: 'a1',
        team: 'core',
        throughput: 3,
        previousThroughput: 2,
        trendPercent: 50,
        failureRate: 0.25,
        leaseExpiryRate: 0,
        estimateRatio: 1,
      },
      {
        agentId: 'a2',
        team: 'core',
        throughput: 0,
        previousThroughput: 0,
        trendPercent: null,
        failureRate: 0,
        leaseExpiryRate: 0,
        estimateRatio: null,
      },
      {
        agentId: 'b',
        team: 'web',
        throughput: 1,
        previousThroughput: 4,
        trendPercent: -75,
        failureRate: 0,
        leaseExpiryRate: 0,
        estimateRatio: 1.5,
      },
    ]);
    expect(report.teams).toEqual([
      {
        team: 'core',
        agents: 2,
        throughput: 3,
        previousThroughput: 2,
        trendPercent: 50,
        failureRate: 0.25,
        leaseExpiryRate: 0,
        estimateRatio: 1,
      },
      {
        team: 'web',
        agents: 1,
        throughput: 1,
        previousThroughput: 4,
        trendPercent: -75,
        failureRate: 0,
        leaseExpiryRate: 0,
        estimateRatio: 1.5,
      },
    ]);
    expect(report.suggestions).toEqual([
      'b: takes 1.5x the estimate; estimates for its work are too low.',
      'Team web: throughput fell 75% against the previous window.',
    ]);
  });
});

describe('suggestionsFor', () => {
  const row = (overrides: Partial<Parameters<typeof suggestionsFor>[0][number]> = {}) => ({
    agentId: 'a',
    team: 'core',
    throughput: 1,
    previousThroughput: 1,
    trendPercent: 0,
    failureRate: 0,
    leaseExpiryRate: 0,
    estimateRatio: null,
    ...overrides,
  });

  it('names agents that fail often or lose their leases, at the thresholds and not below', () => {
    expect(suggestionsFor([row({ failureRate: 0.3, leaseExpiryRate: 0.2 })], [])).toEqual([
      'a: 30% of its finished claims failed; review its failure reasons or narrow its capabilities.',
      'a: 20% of its claims lost their lease; it should report progress or heartbeat more often, or get a longer lease.',
    ]);
    expect(
      suggestionsFor([row({ failureRate: 0.29, leaseExpiryRate: 0.19, estimateRatio: 1.49 })], []),
    ).toEqual([
      'No agent or team stands out: failure and lease-expiry rates are low and throughput is steady.',
    ]);
  });

  it('names a team whose throughput halved, not one that fell less', () => {
    const team = (trendPercent: number | null) => ({ ...row({ trendPercent }), agents: 1 });

    expect(suggestionsFor([], [team(-50)])).toEqual([
      'Team core: throughput fell 50% against the previous window.',
    ]);
    expect(suggestionsFor([], [team(-49.9), team(null)])).toHaveLength(1);
  });
});

describe('healthFindings, every field', () => {
  it('names subject, team and message of each finding, one per condition', () => {
    const findings = healthFindings(
      snapshot({
        agents: [
          facts({ id: 'busy', activeClaims: 1 }, 'active', 30, ['slow', 'fails often']),
          facts({ id: 'w1', team: 'web', capacity: 1 }, 'idle'),
        ],
        work: [
          ...Array.from({ length: 3 }, (_, i) => aWorkItem({ id: `r${i}`, team: 'web' })),
          aWorkItem({ id: 'ops1', team: 'ops' }),
          aWorkItem({ id: 'due', deadline: NOW.toISOString() }),
          aWorkItem({ id: 'late', priority: 'high', status: 'blocked', deadline: minutesFromNow(-90) }),
        ],
        escalations: [{ id: 'e1' } as unknown as Escalation],
      }),
      [{ queue: 'assignments', visible: 0, deadLetters: 4 }],
    );

    expect(findings).toStrictEqual([
      {
        id: 'queue_dead_letters:assignments',
        severity: Severity.Critical,
        subject: 'queue:assignments',
        message: '4 message(s) of assignments are in its dead-letter queue.',
      },
      {
        id: 'team_unstaffed:ops',
        severity: Severity.Critical,
        subject: 'team:ops',
        team: 'ops',
        message: 'Team ops has 1 ready item(s) and no agent in service.',
      },
      {
        id: 'agent_low_health:busy',
        severity: Severity.Warning,
        subject: 'agent:busy',
        team: 'core',
        message: 'busy has health 30: slow; fails often.',
      },
      {
        id: 'escalations_open',
        severity: Severity.Warning,
        subject: 'escalations',
        message: '1 escalation(s) wait for a person.',
      },
      {
        id: 'team_backlog:web',
        severity: Severity.Warning,
        subject: 'team:web',
        team: 'web',
        message: 'Team web has 3 ready items for 1 slots.',
      },
      {
        id: 'work_overdue:late',
        severity: Severity.Warning,
        subject: 'work:late',
        team: 'core',
        message: `late (high) passed its deadline ${minutesFromNow(-90)} and is blocked.`,
      },
    ]);
  });

  it('names no agent in service only when there are agents', () => {
    expect(healthFindings(snapshot())).toStrictEqual([]);
    expect(healthFindings(snapshot({ agents: [facts({ id: 'gone' }, 'offline')] }))).toStrictEqual([
      {
        id: 'no_agent_in_service',
        severity: Severity.Critical,
        subject: 'agents',
        message: 'No agent is active or idle.',
      },
    ]);
  });
});

describe('performance, lease expiries', () => {
  it('counts only the system releasing or escalating a claim as a lease expiry', () => {
    const system = { type: ActorType.System, id: 'sweeper' };
    const outcomes = outcomesByAgent([
      anEvent({ action: Action.WorkReleased, actor: system, agentId: 'a1' }),
      anEvent({ action: Action.WorkClaimed, actor: system, agentId: 'a1' }),
      anEvent({ action: Action.WorkCompleted, actor: system, agentId: 'a1' }),
    ]);

    expect(Object.fromEntries(outcomes)).toEqual({ a1: { completed: 1, failed: 0, leaseExpiries: 1 } });
  });

  it('counts lease expiries among finished claims, for an agent and summed over its team', () => {
    const stats = { claims: 0, completed: 0, failed: 0, leaseExpiries: 0, speedRatioSum: 0, speedSamples: 0 };
    const report = performanceReport(
      [anAgent({ id: 'a1', stats }), anAgent({ id: 'a2', stats })],
      new Map([
        ['a1', { completed: 2, failed: 1, leaseExpiries: 1 }],
        ['a2', { completed: 0, failed: 0, leaseExpiries: 2 }],
      ]),
      new Map(),
    );

    expect(report.agents[0]).toMatchObject({ agentId: 'a1', failureRate: 0.25, leaseExpiryRate: 0.25 });
    expect(report.teams[0]).toMatchObject({ team: 'core', failureRate: 0.17, leaseExpiryRate: 0.5 });
  });
});
