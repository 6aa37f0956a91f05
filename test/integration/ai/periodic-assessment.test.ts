import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClaudeAdvisor } from '#adapters/ai/claude-advisor';
import { createGateStore } from '#adapters/dynamo/index';
import { periodicAssessment } from '#app/use-cases/ai/assess-health';
import { anAgent, aWorkItem, claimed, unique } from '#test/support/builders';
import { createTestStore, insert, type TestStore } from '#test/support/dynamo';
import { type FakeAnthropic, startFakeAnthropic, toolUse } from '#test/support/fake-anthropic';
import { useCaseDeps } from '../use-cases/fixture';

describe("the sweeper's periodic health assessment", () => {
  let fake: FakeAnthropic;
  let store: TestStore;

  const depsWith = (key: string) => ({
    ...useCaseDeps(store),
    ai: createClaudeAdvisor({
      apiKey: async () => key,
      baseUrl: fake.url,
      gate: createGateStore({ client: store.client, tablePrefix: store.tablePrefix }),
      now: () => store.clock.now().getTime(),
      random: () => 0.5,
      sleep: async () => {},
    }),
  });

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    store = await createTestStore('ai-assess');
  });
  afterAll(async () => {
    await fake.close();
    await store.cleanup();
  });
  beforeEach(() => fake.reset());

  it('asks Claude when due and opens one ai_alert escalation per critical finding, once', async () => {
    const team = `t-${unique()}`;
    const gone = anAgent({ team, activeClaims: 1, lastHeartbeatAt: '2026-03-02T07:00:00.000Z' });
    await insert(store.ports, { agents: [gone], work: [claimed(aWorkItem({ team }), gone.id)] });
    const assessment = toolUse('submit_assessment', {
      summary: 'An offline agent holds work.',
      findings: [
        {
          id: `agent_offline_holding:${gone.id}`,
          severity: 'critical',
          subject: `agent:${gone.id}`,
          message: 'Offline with work.',
        },
      ],
    });
    fake.enqueue(assessment, assessment);
    const deps = depsWith('sk-test');

    const first = await periodicAssessment(deps, undefined, 'run-1');
    const notDue = await periodicAssessment(deps, store.clock.now(), 'run-2');
    store.clock.advance(61 * 60_000);
    const later = await periodicAssessment(
      deps,
      new Date(store.clock.now().getTime() - 61 * 60_000),
      'run-3',
    );
    const open = await store.ports.escalations.list({ status: 'open', limit: 50 });

    expect(first).toEqual({ assessedAt: expect.any(String), alerts: 1, source: 'claude' });
    expect(notDue).toBeUndefined();
    expect(later?.alerts).toBe(1);
    expect(fake.requests).toHaveLength(2);
    const alerts = open.items.filter((e) => e.kind === 'ai_alert');
    expect(alerts.map((e) => [e.workId, e.team, e.details.source])).toEqual([
      [`agent_offline_holding:${gone.id}`, team, 'claude'],
    ]);
  });

  it('does not run without a key', async () => {
    expect(await periodicAssessment(depsWith(''), undefined)).toBeUndefined();
    expect(fake.requests).toHaveLength(0);
  });
});
