/**
 * The fake Claude of `npm run fake-claude` (the tests' fake with its demo responder) behind the
 * real AI route handlers: every route gets a valid Claude answer, so a user without a key sees
 * the Claude path end to end.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { aWorkItem, unique } from '#test/support/builders';
import { insert } from '#test/support/dynamo';
import { type FakeAnthropic, startDemoFakeAnthropic } from '#test/support/fake-anthropic';
import { ADMIN, call, seedAgent, useHandlerStore } from './handlers';

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startDemoFakeAnthropic(0);
  vi.stubEnv('ANTHROPIC_API_KEY', 'sk-ant-fake');
  vi.stubEnv('ANTHROPIC_BASE_URL', fake.url);
});
afterAll(() => fake.close());

const storeOf = useHandlerStore('http-ai-fake-claude');

describe('the AI routes against npm run fake-claude', () => {
  it('answer from Claude on every route: a valid plan, a review of the findings, suggestions, a tool-using answer', async () => {
    const team = `team-${unique()}`;
    const store = storeOf();
    const busy = await seedAgent(store, { team, capabilities: ['x'], capacity: 2 });
    const other = await seedAgent(store, { team, capabilities: [], capacity: 1 });
    const readyAt = new Date().toISOString();
    const items = [
      aWorkItem({ team, priority: 'critical', urgency: 500, requiredCapabilities: ['x'], readyAt }),
      aWorkItem({ team, priority: 'low', urgency: 150, readyAt }),
      aWorkItem({ team, priority: 'low', urgency: 120, readyAt }),
    ];
    await insert(store.ports, { work: items });

    const plan = await call('aiRecommendations', { token: ADMIN, body: {} });
    const health = await call('aiHealth', { token: ADMIN });
    const performance = await call('aiPerformance', { token: ADMIN });
    const query = await call('aiQuery', { token: ADMIN, body: { question: 'Who is overloaded?' } });

    expect(plan.body.source).toBe('claude');
    const pairs = plan.body.recommendations.map((r: { agentId: string; workId: string }) => [
      r.agentId,
      r.workId,
    ]);
    expect(pairs).toContainEqual([busy.agent.id, items[0]?.id]);
    expect(pairs.filter(([agent]: string[]) => agent === other.agent.id).length).toBeLessThanOrEqual(1);
    expect(health.body).toMatchObject({ source: 'claude' });
    expect(health.body.summary).toMatch(/^\(fake Claude\)/);
    expect(performance.body.source).toBe('claude');
    expect(query.body.source).toBe('claude');
    expect(query.body.answer).toMatch(/^\(fake Claude\) \d+ agents are in service/);
    expect(query.body.facts.map((f: { tool: string }) => f.tool)).toEqual(['metrics', 'list_agents']);
  });
});
