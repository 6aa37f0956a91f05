/**
 * The AI routes' real handlers without an API key: every one answers from the heuristic with
 * `fallbackReason: no_key`, and the answers are useful on their own.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { aWorkItem, claimed, unique } from '#test/support/builders';
import { insert } from '#test/support/dynamo';
import { ADMIN, call, seedAgent, useHandlerStore } from './handlers';

beforeAll(() => {
  vi.stubEnv('ANTHROPIC_API_KEY', '');
  vi.stubEnv('ANTHROPIC_BASE_URL', '');
});
const storeOf = useHandlerStore('http-ai-heuristic');

const now = () => new Date().toISOString();

describe('the AI routes without a key', () => {
  it('recommend by the heuristic: the urgent item to the agent with the skill, the other to the free one', async () => {
    const team = `team-${unique()}`;
    const store = storeOf();
    const specialist = await seedAgent(store, { team, capabilities: ['db'], capacity: 1 });
    const generalist = await seedAgent(store, { team, capabilities: [], capacity: 1 });
    const urgent = aWorkItem({
      team,
      priority: 'critical',
      urgency: 520,
      requiredCapabilities: ['db'],
      readyAt: now(),
    });
    const low = aWorkItem({ team, priority: 'low', urgency: 140, readyAt: now() });
    await insert(store.ports, { work: [urgent, low] });

    const answer = await call('aiRecommendations', { token: ADMIN, body: {} });

    expect(answer.status).toBe(200);
    expect(answer.body.source).toBe('heuristic');
    expect(answer.body.fallbackReason).toBe('no_key');
    const mine = answer.body.recommendations.filter((r: { workId: string }) =>
      [urgent.id, low.id].includes(r.workId),
    );
    expect(mine.map((r: { agentId: string; workId: string }) => [r.agentId, r.workId])).toEqual([
      [specialist.agent.id, urgent.id],
      [generalist.agent.id, low.id],
    ]);
    expect(mine[0].reason).toContain('critical priority');
  });

  it('answers the common questions from live state and says it is the heuristic', async () => {
    const team = `busy-${unique()}`;
    const store = storeOf();
    const { agent } = await seedAgent(store, { team, capacity: 1, activeClaims: 1 });
    const held = claimed(aWorkItem({ team }), agent.id);
    const waiting = aWorkItem({ team, status: 'blocked', remainingDeps: [held.id], dependsOn: [held.id] });
    await insert(store.ports, { work: [held, waiting] });

    const overloaded = await call('aiQuery', { token: ADMIN, body: { question: 'Who is overloaded?' } });
    const blocked = await call('aiQuery', {
      token: ADMIN,
      body: { question: `What is blocked in ${team}?` },
    });
    const teamAnswer = await call('aiQuery', { token: ADMIN, body: { question: `How is ${team} doing?` } });

    expect(overloaded.body).toMatchObject({ source: 'heuristic', fallbackReason: 'no_key' });
    expect(overloaded.body.answer).toContain(`${agent.id} (1/1)`);
    expect(blocked.body.answer).toContain(`${waiting.id} (waiting on ${held.id})`);
    expect(blocked.body.facts).toEqual([
      { tool: 'list_work', input: { status: 'blocked', team }, summary: '1 work items blocked' },
      { tool: 'list_escalations', input: { team }, summary: '0 open escalations' },
    ]);
    expect(teamAnswer.body.answer).toContain(`Team ${team}: 1 agents in service (0/1 slots free)`);
  });

  it('assesses health and performance without Claude, escalating an alert once', async () => {
    const team = `gone-${unique()}`;
    const store = storeOf();
    const { agent } = await seedAgent(store, {
      team,
      activeClaims: 1,
      lastHeartbeatAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    await insert(store.ports, { work: [claimed(aWorkItem({ team }), agent.id)] });

    const health = await call('aiHealth', { token: ADMIN });
    const performance = await call('aiPerformance', { token: ADMIN, query: { window: '7d' } });

    expect(health.body).toMatchObject({ source: 'heuristic', fallbackReason: 'no_key', status: 'critical' });
    expect(health.body.alerts).toContainEqual(
      expect.objectContaining({ id: `agent_offline_holding:${agent.id}`, severity: 'critical' }),
    );
    const again = await call('aiHealth', { token: ADMIN });
    const escalations = await call('listEscalations', { token: ADMIN, query: { team } });
    expect(again.body.alerts).toContainEqual(
      expect.objectContaining({ id: `agent_offline_holding:${agent.id}` }),
    );
    expect(escalations.body.items).toEqual([
      expect.objectContaining({
        kind: 'ai_alert',
        status: 'open',
        team,
        details: expect.objectContaining({
          findingId: `agent_offline_holding:${agent.id}`,
          source: 'heuristic',
        }),
      }),
    ]);
    expect(performance.body).toMatchObject({ source: 'heuristic', fallbackReason: 'no_key', window: '7d' });
    expect(performance.body.agents).toContainEqual(expect.objectContaining({ agentId: agent.id, team }));
  });

  it('takes the AI settings in PUT /v1/config, validated like the others', async () => {
    const bad = await call('updateConfig', {
      token: ADMIN,
      body: { ai: { maxTokens: 10, timeoutMs: 'soon' } },
    });
    const good = await call('updateConfig', {
      token: ADMIN,
      body: { ai: { maxTokens: 2048, dailyTokenBudget: 1000 } },
    });
    const read = await call('getConfig', { token: ADMIN });

    expect(bad.status).toBe(400);
    expect(bad.body.error.details.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '/ai/maxTokens',
      '/ai/timeoutMs',
    ]);
    expect(good.status).toBe(200);
    expect(read.body.ai).toMatchObject({ maxTokens: 2048, dailyTokenBudget: 1000, timeoutMs: 20_000 });
  });
});
