import { describe, expect, it } from 'vitest';
import { AGENT_STATUSES } from '#core/agents/status';
import { heuristicAnswer } from '#core/ai/answer';
import { type AgentFacts, type Snapshot, teamView } from '#core/ai/snapshot';
import { READ_TOOLS, runTool, teamFigures } from '#core/ai/tools';
import type { Escalation } from '#core/escalations/escalation';
import type { Agent } from '#core/model';
import { OPEN_STATUSES, WorkStatus } from '#core/work/status';
import { anAgent, aWorkItem, minutesFromNow, NOW } from '../builders';

const facts = (
  agent: Partial<Agent>,
  status: AgentFacts['status'] = 'active',
  health: AgentFacts['health'] = { score: 100, reasons: [] },
): AgentFacts => ({ agent: anAgent(agent), status, health });

const anEscalation = (overrides: Partial<Escalation> = {}): Escalation => ({
  id: 'wi-x~retries_exhausted~1',
  workId: 'wi-x',
  team: 'core',
  kind: 'retries_exhausted',
  number: 1,
  status: 'open',
  openedAt: minutesFromNow(-30),
  details: {},
  version: 1,
  ...overrides,
});

/**
 * Team core: a full agent, an idle one with one free slot of two, an offline one holding a
 * claim; two ready items (one overdue), a blocked and an escalated one. Team web: one active
 * agent with three free slots and an item due in 5 hours.
 */
const snapshot = (overrides: Partial<Snapshot> = {}): Snapshot => ({
  now: NOW,
  agents: [
    facts({ id: 'full', capacity: 1, activeClaims: 1 }),
    facts({ id: 'roomy', capacity: 2, activeClaims: 1 }, 'idle'),
    facts({ id: 'gone', capacity: 2, activeClaims: 1 }, 'offline', { score: 20, reasons: ['silent'] }),
    facts({ id: 'weak', team: 'web', capacity: 3 }, 'active', { score: 40, reasons: ['fails often'] }),
  ],
  work: [
    aWorkItem({ id: 'late', urgency: 900, deadline: minutesFromNow(-60) }),
    aWorkItem({ id: 'plain', urgency: 100 }),
    aWorkItem({ id: 'waits', status: 'blocked', remainingDeps: ['late'], urgency: 50 }),
    aWorkItem({ id: 'stuck', status: 'escalated', urgency: 10 }),
    aWorkItem({ id: 'soon', team: 'web', deadline: minutesFromNow(5 * 60), urgency: 500 }),
  ],
  escalations: [anEscalation({ workId: 'stuck' })],
  truncated: false,
  ...overrides,
});

describe('teamFigures', () => {
  it('counts agents by status, free slots of agents in service, work by status and overdue items', () => {
    expect(teamFigures(snapshot())).toEqual([
      {
        team: 'core',
        agents: { active: 1, idle: 1, offline: 1 },
        inService: 2,
        freeSlots: 1,
        capacity: 3,
        work: { ready: 2, blocked: 1, escalated: 1 },
        overdue: 1,
      },
      {
        team: 'web',
        agents: { active: 1 },
        inService: 1,
        freeSlots: 3,
        capacity: 3,
        work: { ready: 1 },
        overdue: 0,
      },
    ]);
  });
});

describe('runTool', () => {
  it('lists agents filtered by team and status, with load and health', () => {
    const answer = runTool(snapshot(), 'list_agents', { team: 'core', status: 'offline' });

    expect(answer.summary).toBe('1 agents offline');
    expect(answer.data).toEqual([
      {
        id: 'gone',
        team: 'core',
        status: 'offline',
        activeClaims: 1,
        capacity: 2,
        capabilities: [],
        health: 20,
        healthReasons: ['silent'],
      },
    ]);
    expect(runTool(snapshot(), 'list_agents', {}).summary).toBe('4 agents');
  });

  it('lists work most urgent first, with deadline, holder and what it waits on only when present', () => {
    const answer = runTool(snapshot(), 'list_work', { team: 'core' });
    const rows = answer.data as Record<string, unknown>[];

    expect(answer.summary).toBe('4 work items');
    expect(rows.map((row) => row.id)).toEqual(['late', 'plain', 'waits', 'stuck']);
    expect(rows[0]).toMatchObject({ deadline: minutesFromNow(-60), urgency: 900 });
    expect(rows[1]).not.toHaveProperty('deadline');
    expect(rows[2]).toMatchObject({ waitingOn: ['late'] });
    expect(rows[1]).not.toHaveProperty('waitingOn');
    expect(runTool(snapshot(), 'list_work', { status: 'blocked' }).summary).toBe('1 work items blocked');
  });

  it('names the holder of a claimed item', () => {
    const held = aWorkItem({
      id: 'held',
      status: 'claimed',
      claim: {
        agentId: 'full',
        token: 't',
        claimedAt: minutesFromNow(-1),
        leaseExpiresAt: minutesFromNow(4),
        holderLastHeartbeatAt: minutesFromNow(-1),
        holderHeartbeatIntervalSec: 30,
      },
    });
    const rows = runTool(snapshot({ work: [held] }), 'list_work', {}).data as Record<string, unknown>[];

    expect(rows[0]).toMatchObject({ id: 'held', agentId: 'full' });
  });

  it('caps a listing at 50 rows but counts them all', () => {
    const work = Array.from({ length: 60 }, (_, i) => aWorkItem({ id: `w-${i}` }));
    const answer = runTool(snapshot({ work }), 'list_work', {});

    expect(answer.summary).toBe('60 work items');
    expect(answer.data).toHaveLength(50);
  });

  it('gives team figures for one team', () => {
    const answer = runTool(snapshot(), 'team_stats', { team: 'web' });

    expect(answer.summary).toBe('figures of 1 teams');
    expect((answer.data as { team: string }[]).map((row) => row.team)).toEqual(['web']);
  });

  it('lists open escalations of a team', () => {
    expect(runTool(snapshot(), 'list_escalations', { team: 'core' })).toEqual({
      data: [
        {
          id: 'wi-x~retries_exhausted~1',
          workId: 'stuck',
          team: 'core',
          kind: 'retries_exhausted',
          openedAt: minutesFromNow(-30),
        },
      ],
      summary: '1 open escalations',
    });
    expect(runTool(snapshot(), 'list_escalations', { team: 'web' }).summary).toBe('0 open escalations');
  });

  it('totals the service: load of agents in service, backlog, overdue and whether reads were cut short', () => {
    expect(runTool(snapshot({ truncated: true }), 'metrics', {})).toEqual({
      data: {
        agentsInService: 3,
        agentsOffline: 1,
        loadPercent: 33,
        ready: 3,
        blocked: 1,
        inFlight: 0,
        escalated: 1,
        overdue: 1,
        openEscalations: 1,
        partial: true,
      },
      summary: 'load 33%, 3 ready, 1 overdue',
    });
    expect(
      (runTool(snapshot({ agents: [] }), 'metrics', {}).data as { loadPercent: number }).loadPercent,
    ).toBe(0);
  });

  it('answers an unknown tool with an error the model can read, and ignores input that is not an object', () => {
    expect(runTool(snapshot(), 'drop_tables', {})).toEqual({
      data: { error: 'unknown tool drop_tables' },
      summary: 'unknown tool drop_tables',
    });
    expect(runTool(snapshot(), 'list_agents', ['core']).summary).toBe('4 agents');
    expect(runTool(snapshot(), 'list_agents', null).summary).toBe('4 agents');
    expect(runTool(snapshot(), 'list_agents', { team: '' }).summary).toBe('4 agents');
  });

  it('offers a runner for every tool the model is shown', () => {
    for (const tool of READ_TOOLS) {
      expect(runTool(snapshot(), tool.name, {}).summary).not.toMatch(/unknown tool/);
    }
  });
});

describe('heuristicAnswer', () => {
  it('names full agents and teams short of slots for an overload question, with the tools behind it', () => {
    const tight = snapshot({
      work: [
        ...snapshot().work,
        aWorkItem({ id: 'more', urgency: 1 }),
        aWorkItem({ id: 'most', urgency: 1 }),
      ],
    });
    const answer = heuristicAnswer(tight, 'Who is overloaded?');

    expect(answer.answer).toBe(
      '(heuristic answer, Claude not used) Agents at full capacity: full (1/1). ' +
        'Teams with more ready work than free slots: core (4 ready, 1 free).',
    );
    expect(answer.facts).toEqual([
      { tool: 'list_agents', input: { status: 'active' }, summary: '2 agents active' },
      { tool: 'team_stats', input: {}, summary: 'figures of 2 teams' },
    ]);
  });

  it('passes the team a question names to every tool', () => {
    const answer = heuristicAnswer(snapshot(), 'is web overloaded?');

    expect(answer.answer).toContain('Agents at full capacity: none.');
    expect(answer.answer).toContain('Teams with more ready work than free slots: none.');
    expect(answer.facts.map((fact) => fact.input)).toEqual([
      { status: 'active', team: 'web' },
      { team: 'web' },
    ]);
  });

  it('lists overdue items and those due within a day that have not started', () => {
    const answer = heuristicAnswer(snapshot(), 'which items are at risk?');

    expect(answer.answer).toContain('Overdue: late (ready).');
    expect(answer.answer).toContain('Due within 24h and not started: soon (5h left, ready).');
    expect(answer.facts).toEqual([{ tool: 'list_work', input: {}, summary: '5 work items' }]);
  });

  it('lists blocked items with what they wait on, escalated items and open escalations', () => {
    const answer = heuristicAnswer(snapshot(), 'what is blocked?');

    expect(answer.answer).toContain('Blocked: waits (waiting on late).');
    expect(answer.answer).toContain('Escalated: stuck.');
    expect(answer.answer).toContain('Open escalations: 1.');
    expect(answer.facts.map((fact) => fact.tool)).toEqual(['list_work', 'list_escalations']);
  });

  it('names offline agents with what they hold, and agents of low health', () => {
    const answer = heuristicAnswer(snapshot(), 'which agents are offline?');

    expect(answer.answer).toContain('Offline: gone holding 1.');
    expect(answer.answer).toContain('Low health: weak (40: fails often).');
  });

  it('describes a named team, and every team when the question names no intent', () => {
    expect(heuristicAnswer(snapshot(), 'how is web?').answer).toBe(
      '(heuristic answer, Claude not used) Team web: 1 agents in service (3/3 slots free), work 1 ready, 0 overdue.',
    );
    const all = heuristicAnswer(snapshot(), 'hello');
    expect(all.answer).toContain('Team core: 2 agents in service (1/3 slots free)');
    expect(all.answer).toContain('Team web:');
    expect(all.facts.map((fact) => fact.tool)).toEqual(['team_stats', 'metrics']);
  });

  it('says so when there is nothing yet, and shortens long lists', () => {
    expect(heuristicAnswer(snapshot({ agents: [], work: [], escalations: [] }), 'hello').answer).toBe(
      '(heuristic answer, Claude not used) No agents or open work yet.',
    );
    const blockedItems = Array.from({ length: 12 }, (_, i) =>
      aWorkItem({ id: `b${i}`, status: 'blocked', remainingDeps: ['x'] }),
    );
    const answer = heuristicAnswer(snapshot({ work: blockedItems }), 'what is stuck?');
    expect(answer.answer).toContain('b9 (waiting on x) and 2 more.');
    expect(answer.answer).not.toContain('b10');
  });

  it('answers every intent a question matches, in order', () => {
    const answer = heuristicAnswer(snapshot(), 'anything blocked or overdue?');

    expect(answer.answer.indexOf('Overdue:')).toBeLessThan(answer.answer.indexOf('Blocked:'));
    expect(answer.facts.map((fact) => fact.tool)).toEqual(['list_work', 'list_work', 'list_escalations']);
  });
});

describe('teamView', () => {
  it('keeps only one team’s agents, work and escalations, and every tool then sees only that team', () => {
    const web = teamView(
      snapshot({ escalations: [anEscalation({ workId: 'stuck' }), anEscalation({ id: 'w', team: 'web' })] }),
      'web',
    );

    expect(web.agents.map((f) => f.agent.id)).toEqual(['weak']);
    expect(web.work.map((i) => i.id)).toEqual(['soon']);
    expect(web.escalations.map((e) => e.id)).toEqual(['w']);
    for (const tool of READ_TOOLS) {
      const seen =
        JSON.stringify(runTool(web, tool.name, { team: 'core' }).data) +
        JSON.stringify(runTool(web, tool.name, {}).data);
      for (const other of ['"full"', '"roomy"', '"gone"', '"late"', '"plain"', '"core"'])
        expect(seen).not.toContain(other);
    }
  });

  it('keeps nothing without a team', () => {
    const none = teamView(snapshot(), undefined);

    expect([none.agents, none.work, none.escalations]).toEqual([[], [], []]);
  });
});

describe('the tools the model is shown', () => {
  it('are the five read tools, each described, with a closed input schema that filters by team', () => {
    expect(READ_TOOLS.map((tool) => tool.name)).toEqual([
      'list_agents',
      'list_work',
      'team_stats',
      'list_escalations',
      'metrics',
    ]);
    for (const tool of READ_TOOLS) {
      expect(tool.description.length).toBeGreaterThan(20);
      expect(tool.inputSchema).toMatchObject({ type: 'object', additionalProperties: false });
      if (tool.name !== 'metrics')
        expect((tool.inputSchema.properties as Record<string, unknown>).team).toEqual({
          type: 'string',
          description: 'only this team',
        });
    }
    expect(READ_TOOLS[4]?.inputSchema).toEqual({
      type: 'object',
      properties: {},
      additionalProperties: false,
    });
    expect(Object.keys(READ_TOOLS[2]?.inputSchema.properties as object)).toEqual(['team']);
  });

  it('offer every agent status, and every open or escalated work status, as a filter', () => {
    const statusOf = (name: string) => {
      const properties = READ_TOOLS.find((tool) => tool.name === name)?.inputSchema.properties;
      return (properties as Record<string, unknown> | undefined)?.status;
    };

    expect(statusOf('list_agents')).toEqual({ type: 'string', enum: [...AGENT_STATUSES] });
    expect(statusOf('list_work')).toEqual({ type: 'string', enum: [...OPEN_STATUSES, WorkStatus.Escalated] });
  });
});

describe('the tools, at their edges', () => {
  it('ignores a team filter that is not a string', () => {
    expect(runTool(snapshot(), 'list_agents', { team: 5 }).summary).toBe('4 agents');
    expect(runTool(snapshot(), 'team_stats', { team: true }).summary).toBe('figures of 2 teams');
  });

  it('caps agents and escalations at 50 rows but counts them all', () => {
    const agents = Array.from({ length: 60 }, (_, i) => facts({ id: `a-${i}` }));
    const escalations = Array.from({ length: 60 }, (_, i) => anEscalation({ id: `e-${i}` }));

    expect(runTool(snapshot({ agents }), 'list_agents', {}).data).toHaveLength(50);
    expect(runTool(snapshot({ agents }), 'list_agents', {}).summary).toBe('60 agents');
    expect(runTool(snapshot({ escalations }), 'list_escalations', {}).data).toHaveLength(50);
    expect(runTool(snapshot({ escalations }), 'list_escalations', {}).summary).toBe('60 open escalations');
  });

  it('sorts work most urgent first whatever order it was read in', () => {
    const work = [10, 900, 50, 300].map((urgency) => aWorkItem({ id: `u${urgency}`, urgency }));
    const rows = runTool(snapshot({ work }), 'list_work', {}).data as { id: string }[];

    expect(rows.map((row) => row.id)).toEqual(['u900', 'u300', 'u50', 'u10']);
  });

  it('does not count an item due this very moment as overdue', () => {
    const work = [aWorkItem({ id: 'now', deadline: NOW.toISOString() })];

    expect((runTool(snapshot({ work }), 'metrics', {}).data as { overdue: number }).overdue).toBe(0);
    expect(teamFigures(snapshot({ work }))[0]?.overdue).toBe(0);
  });

  it('sorts team figures by team name', () => {
    const agents = [facts({ id: 'w', team: 'web' }), facts({ id: 'a', team: 'api' })];

    expect(teamFigures(snapshot({ agents, work: [] })).map((t) => t.team)).toEqual(['api', 'web']);
  });

  it('counts claimed and in-progress items as in flight', () => {
    const work = [
      aWorkItem({ id: 'c', status: 'claimed' }),
      aWorkItem({ id: 'p', status: 'in_progress' }),
      aWorkItem({ id: 'r' }),
      aWorkItem({ id: 'b', status: 'blocked' }),
    ];

    expect(runTool(snapshot({ work }), 'metrics', {}).data).toMatchObject({
      inFlight: 2,
      ready: 1,
      blocked: 1,
    });
  });
});
