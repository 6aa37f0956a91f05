import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AiCallRecord, createClaudeAdvisor } from '#adapters/ai/claude-advisor';
import { createGateStore } from '#adapters/dynamo/index';
import { BREAKER_COOLDOWN_MS, BREAKER_THRESHOLD, type GateStore } from '#core/ai/gate';
import { type AiCallSettings, AiFallbackError, type AiModel, textOf } from '#core/ai/model';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { type FakeAnthropic, failure, startFakeAnthropic, text, toolUse } from '#test/support/fake-anthropic';

const SETTINGS: AiCallSettings = {
  model: 'claude-sonnet-4-5',
  maxTokens: 300,
  timeoutMs: 5_000,
  maxRetries: 2,
  maxRequestsPerMinute: 100,
  dailyTokenBudget: 1_000_000,
};

const KEY = 'sk-test-key';
const NO_KEY = '';

const ask = {
  system: 'You are a test.',
  messages: [{ role: 'user' as const, content: 'hello' }],
  purpose: 'test',
};

describe('the Claude adapter against the fake Messages API', () => {
  let fake: FakeAnthropic;
  let store: TestStore;
  let now = Date.parse('2026-03-02T09:00:00Z');
  let sleeps: number[] = [];
  let records: AiCallRecord[] = [];
  let gate: GateStore;

  const advisor = (apiKey: string | undefined = KEY): AiModel =>
    createClaudeAdvisor({
      apiKey: async () => apiKey,
      baseUrl: fake.url,
      gate,
      now: () => now,
      random: () => 0.5,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      record: (call) => records.push(call),
    });

  const fallbackOf = async (call: Promise<unknown>): Promise<string> => {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AiFallbackError);
    return (error as AiFallbackError).reason;
  };

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    store = await createTestStore('claude');
  });
  afterAll(async () => {
    await fake.close();
    await store.cleanup();
  });
  beforeEach(async () => {
    fake.reset();
    sleeps = [];
    records = [];
    now += 24 * 3_600_000; // a fresh day and a full bucket
    // A fresh guard row per test: its own table prefix would be slower, so each test gets a new store.
    gate = createGateStore({ client: store.client, tablePrefix: store.tablePrefix });
    await gate.update(() => ({
      state: { tokens: 100, refilledAt: now, failures: 0, openUntil: 0, day: '', spent: 0 },
      result: undefined,
    }));
  });

  it('sends the model, max tokens and a cached system prompt, with the key only in its header', async () => {
    fake.enqueue(text('All good.', { input: 120, output: 7 }));

    const reply = await advisor().complete(ask, SETTINGS);

    expect(textOf(reply)).toBe('All good.');
    const [request] = fake.requests;
    expect(request?.body.model).toBe('claude-sonnet-4-5');
    expect(request?.body.max_tokens).toBe(300);
    expect(request?.body.system).toEqual([
      { type: 'text', text: 'You are a test.', cache_control: { type: 'ephemeral' } },
    ]);
    // This SDK sends the key as a bearer token; older ones used x-api-key.
    expect(request?.headers.authorization ?? `Bearer ${request?.headers['x-api-key']}`).toBe(
      'Bearer sk-test-key',
    );
    expect(JSON.stringify(request?.body)).not.toContain('sk-test-key');
    expect(records).toEqual([
      expect.objectContaining({ outcome: 'ok', inputTokens: 120, outputTokens: 7, attempts: 1 }),
    ]);
    expect(records[0]?.costUsd).toBeCloseTo((120 * 3 + 7 * 15) / 1_000_000, 10);
  });

  it('streams text deltas in order and returns the whole message', async () => {
    fake.enqueue(text('Three agents are overloaded right now.'));
    const deltas: string[] = [];

    const reply = await advisor().complete({ ...ask, onText: (d) => deltas.push(d) }, SETTINGS);

    expect(fake.requests[0]?.body.stream).toBe(true);
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe('Three agents are overloaded right now.');
    expect(textOf(reply)).toBe('Three agents are overloaded right now.');
  });

  it('returns tool_use turns with their input, streamed or not', async () => {
    fake.enqueue(toolUse('list_work', { status: 'blocked' }), toolUse('list_agents', { team: 'core' }));
    const tools = [{ name: 'list_work', description: 'd', inputSchema: { type: 'object' } }];

    const plain = await advisor().complete({ ...ask, tools }, SETTINGS);
    const streamed = await advisor().complete({ ...ask, tools, onText: () => {} }, SETTINGS);

    expect(plain.stopReason).toBe('tool_use');
    expect(plain.content).toEqual([
      { type: 'tool_use', id: 'toolu_list_work', name: 'list_work', input: { status: 'blocked' } },
    ]);
    expect(streamed.content).toEqual([
      { type: 'tool_use', id: 'toolu_list_agents', name: 'list_agents', input: { team: 'core' } },
    ]);
    expect(fake.requests[0]?.body.tools[0]).toEqual({
      name: 'list_work',
      description: 'd',
      input_schema: { type: 'object' },
    });
  });

  it('retries 429 (waiting its retry-after), 529 and 500, then answers', async () => {
    fake.enqueue(failure(429, undefined, 2), failure(529), text('Recovered.'));

    const reply = await advisor().complete(ask, { ...SETTINGS, maxRetries: 3 });

    expect(textOf(reply)).toBe('Recovered.');
    expect(fake.requests).toHaveLength(3);
    expect(sleeps[0]).toBe(2000);
    expect(sleeps[1]).toBe(1000); // second backoff: 500 * 2, jitter 0.5 + 0.5
    expect(records[0]).toMatchObject({ outcome: 'ok', attempts: 3 });
  });

  it('falls back with error after its retries are spent, and with rate_limited after repeated 429s', async () => {
    fake.enqueue(failure(500), failure(500), failure(500));
    expect(await fallbackOf(advisor().complete(ask, SETTINGS))).toBe('error');
    expect(fake.requests).toHaveLength(3);

    fake.enqueue(failure(429, undefined, 1), failure(429, undefined, 1), failure(429, undefined, 1));
    expect(await fallbackOf(advisor().complete(ask, SETTINGS))).toBe('rate_limited');
  });

  it('does not retry a request the API refuses (400)', async () => {
    fake.enqueue(failure(400), text('never'));
    expect(await fallbackOf(advisor().complete(ask, SETTINGS))).toBe('error');
    expect(fake.requests).toHaveLength(1);
  });

  it('gives up on a slow answer after the timeout', async () => {
    fake.enqueue({ ...text('too late'), delayMs: 1500 });
    expect(await fallbackOf(advisor().complete(ask, { ...SETTINGS, timeoutMs: 1000, maxRetries: 0 }))).toBe(
      'error',
    );
  });

  it('opens the breaker after consecutive failures, refuses without calling, then closes after a good trial', async () => {
    fake.respondWith(() => failure(500));
    for (let i = 0; i < BREAKER_THRESHOLD; i += 1) {
      expect(await fallbackOf(advisor().complete(ask, { ...SETTINGS, maxRetries: 0 }))).toBe('error');
    }
    const calls = fake.requests.length;

    expect(await fallbackOf(advisor().complete(ask, SETTINGS))).toBe('breaker_open');
    expect(fake.requests).toHaveLength(calls);

    now += BREAKER_COOLDOWN_MS + 1;
    fake.respondWith(() => text('Back.'));
    expect(textOf(await advisor().complete(ask, SETTINGS))).toBe('Back.');
    expect(textOf(await advisor().complete(ask, SETTINGS))).toBe('Back.');
  });

  it('shares one rate limit between two instances (two functions)', async () => {
    const limits = { ...SETTINGS, maxRequestsPerMinute: 3 };
    await gate.update(() => ({
      state: { tokens: 3, refilledAt: now, failures: 0, openUntil: 0, day: '', spent: 0 },
      result: undefined,
    }));
    const [one, two] = [advisor(), advisor()];

    const outcomes = await Promise.all(
      [one, two, one, two, one, two].map((model) =>
        model.complete(ask, limits).then(
          () => 'ok',
          (e: AiFallbackError) => e.reason,
        ),
      ),
    );

    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'rate_limited')).toHaveLength(3);
    expect(fake.requests).toHaveLength(3);
    now += 20_000; // a third of a minute refills one request
    expect(await one.complete(ask, limits).then(() => 'ok')).toBe('ok');
  });

  it('stops calling once the day budget is spent', async () => {
    fake.enqueue(text('costly', { input: 900, output: 200 }));
    await advisor().complete(ask, { ...SETTINGS, dailyTokenBudget: 1000 });

    expect(await fallbackOf(advisor().complete(ask, { ...SETTINGS, dailyTokenBudget: 1000 }))).toBe(
      'budget_spent',
    );
    expect(fake.requests).toHaveLength(1);
  });

  it('falls back with no_key without calling when there is no key', async () => {
    expect(await fallbackOf(advisor(NO_KEY).complete(ask, SETTINGS))).toBe('no_key');
    expect(fake.requests).toHaveLength(0);
  });
});
