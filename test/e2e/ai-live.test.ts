/**
 * Questions answered live, over a real WebSocket: `ask` streams `ai.delta` ... `ai.done` with the
 * ask's id. Without a key (the shared e2e stack) the heuristic answers and says so; with a key, a
 * stack of its own talks to the fake Messages API through `ANTHROPIC_BASE_URL`, and the pieces
 * arrive in order before `ai.done`, with the tools the principal's role allows.
 */
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deadLetterQueueName, escalationsQueue } from '#adapters/sqs/queues';
import type { RegisterAgentResult } from '#app/schemas/views';
import { besideRunStack, registerAgent, uniqueName } from '#test/support/e2e-fixtures';
import {
  type FakeAnthropic,
  type FakeReply,
  type FakeRequest,
  startFakeAnthropic,
  text,
  toolUse,
} from '#test/support/fake-anthropic';
import { ApiClient } from '#test/support/http-client';
import { type SpawnedStack, spawnLocalStack } from '#test/support/local-stack';
import { type LiveClient, type LiveMessage, openLive } from '#test/support/ws-client';

const open: LiveClient[] = [];
const live = async (wsUrl: string, token: string): Promise<LiveClient> => {
  const client = await openLive(wsUrl, token);
  open.push(client);
  return client;
};

afterAll(() => {
  for (const client of open) client.close();
});

const about = (type: string, id: string) => (message: LiveMessage) =>
  message.type === type && message.id === id;

/** The `ai.delta` texts of one ask, in the order they arrived. */
const deltasOf = (client: LiveClient, id: string): string[] =>
  client.messages.filter(about('ai.delta', id)).map((message) => message.text as string);

describe('WebSocket ask without a key', () => {
  const stack = inject('localStack');

  it('answers from the heuristic, says so, and carries the ask id on every message', async () => {
    const team = uniqueName('team');
    const agent = await registerAgent(team);
    const client = await live(stack.wsUrl, agent.token);
    const id = uniqueName('ask');

    client.send({ action: 'ask', id, question: 'who is overloaded?' });
    const done = await client.waitFor(about('ai.done', id));

    expect(done).toEqual({
      type: 'ai.done',
      at: expect.any(String),
      id,
      source: 'heuristic',
      fallbackReason: 'no_key',
      answer: expect.stringContaining('heuristic'),
      facts: expect.arrayContaining([expect.objectContaining({ tool: expect.any(String) })]),
    });
    expect(deltasOf(client, id)).toEqual([done.answer]);
    expect(client.messages.findIndex(about('ai.delta', id))).toBeLessThan(client.messages.indexOf(done));
  });

  it('refuses an ask without an id, without a question or with an overlong one, and answers nothing', async () => {
    const client = await live(stack.wsUrl, stack.adminToken);
    const bad = [
      { action: 'ask', question: 'who is overloaded?' },
      { action: 'ask', id: 'no-question' },
      { action: 'ask', id: 'too-long', question: 'x'.repeat(4001) },
      { action: 'ask', id: '', question: 'what is blocked?' },
    ];
    for (const frame of bad) client.send(frame);
    client.send({ action: 'ping' });
    await client.waitFor((message) => message.type === 'pong');
    // Wait for all four refusals (their order is not promised).
    await expect
      .poll(() => client.messages.filter((message) => message.type === 'error').length, { timeout: 20_000 })
      .toBe(bad.length);

    const errors = client.messages.filter((message) => message.type === 'error');
    expect(errors).toEqual(
      bad.map(() =>
        expect.objectContaining({
          code: 'validation_error',
          message: expect.any(String),
          details: {
            errors: expect.arrayContaining([expect.objectContaining({ path: expect.any(String) })]),
          },
        }),
      ),
    );
    const paths = errors.map((error) =>
      (error.details as { errors: { path: string }[] }).errors.map((e) => e.path),
    );
    expect(paths.flat()).toEqual(expect.arrayContaining(['/id', '/question']));
    // A refused ask that had an id says which one it was.
    expect(errors.map((error) => error.id ?? '-').sort()).toEqual(['-', '-', 'no-question', 'too-long']);
    expect(client.messages.filter((message) => message.type.startsWith('ai.'))).toEqual([]);
  });
});

describe('WebSocket ask with a key (fake Messages API)', () => {
  let fake: FakeAnthropic;
  let stack: SpawnedStack;

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    stack = await spawnLocalStack({
      ...besideRunStack(),
      ANTHROPIC_API_KEY: 'sk-ant-fake-for-tests',
      ANTHROPIC_BASE_URL: fake.url,
      COORD_HANDLER_TIMEOUT_MS: '300000',
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop('SIGTERM');
    await fake?.close();
  });

  const agentOf = async (team: string): Promise<RegisterAgentResult> => {
    const registration = new ApiClient(stack.url, stack.registrationKey);
    const response = await registration.post<RegisterAgentResult>('/v1/agents', {
      id: uniqueName('agent'),
      team,
    });
    expect(response.status, response.text).toBe(201);
    return response.body;
  };

  /**
   * The requests about `question`, and their answers by turn (first, then after tool results).
   * The stack's sweeper also asks the model now and then (the health assessment): those requests
   * get a short answer and are left out.
   */
  const answering = (question: string, ...turns: FakeReply[]): (() => FakeRequest[]) => {
    const mentions = (request: FakeRequest) => JSON.stringify(request.body.messages).includes(question);
    fake.reset();
    fake.respondWith((request) =>
      mentions(request)
        ? (turns[Math.min((request.body.messages.length - 1) >> 1, turns.length - 1)] ?? text('Fine.'))
        : text('Nothing to report.'),
    );
    return () => fake.requests.filter(mentions);
  };

  it('streams the model text as ai.delta in order, before ai.done, with the ask id and the facts', async () => {
    const answer = 'Nobody is overloaded: every agent has free slots and the queue is short.';
    const requests = answering('who is overloaded?', toolUse('list_agents', {}), {
      kind: 'message',
      content: [{ type: 'text', text: answer }],
      chunkDelayMs: 60,
    });
    const client = await live(stack.wsUrl, stack.adminToken);
    const id = uniqueName('ask');

    client.send({ action: 'ask', id, question: 'who is overloaded?' });
    const done = await client.waitFor(about('ai.done', id));

    const deltas = deltasOf(client, id);
    expect(deltas.length).toBeGreaterThan(5);
    expect(deltas.join('')).toBe(answer);
    expect(done).toEqual({
      type: 'ai.done',
      at: expect.any(String),
      id,
      source: 'claude',
      answer,
      facts: [{ tool: 'list_agents', input: {}, summary: expect.any(String) }],
    });
    const indexes = client.messages
      .map((message, index) => (about('ai.delta', id)(message) ? index : -1))
      .filter((index) => index >= 0);
    expect(Math.max(...indexes)).toBeLessThan(client.messages.indexOf(done));
    // The first piece went out while the model was still writing (same machine, same clock).
    const firstAt = Date.parse(client.messages[indexes[0] as number]?.at as string);
    const endedAt = requests().at(-1)?.streamEndedAt;
    expect(endedAt).toBeDefined();
    expect(firstAt).toBeLessThan(endedAt as number);
    // The question reached the model, as quoted data, and the model was asked to stream.
    expect(requests().map((request) => request.body.stream)).toEqual([true, true]);
  });

  it("limits the tools to the principal's role: no audit log for an agent", async () => {
    const requests = answering('what happened lately?', text('Fine.'));
    const agent = await agentOf(uniqueName('team'));
    const asAgent = await live(stack.wsUrl, agent.token);
    const asAdmin = await live(stack.wsUrl, stack.adminToken);

    asAgent.send({ action: 'ask', id: 'agent-ask', question: 'what happened lately?' });
    await asAgent.waitFor(about('ai.done', 'agent-ask'));
    asAdmin.send({ action: 'ask', id: 'admin-ask', question: 'what happened lately?' });
    await asAdmin.waitFor(about('ai.done', 'admin-ask'));

    const toolNames = requests().map((request) =>
      (request.body.tools as { name: string }[]).map((tool) => tool.name),
    );
    expect(toolNames).toHaveLength(2);
    expect(toolNames[0]).not.toContain('recent_audit');
    expect(toolNames[0]).toContain('list_agents');
    expect(toolNames[1]).toContain('recent_audit');
    // Each answer went only to the connection that asked.
    expect(asAgent.messages.filter(about('ai.done', 'admin-ask'))).toEqual([]);
    expect(asAdmin.messages.filter(about('ai.done', 'agent-ask'))).toEqual([]);
  });

  it('streams POST /v1/ai/query?stream=1 event by event while the model is still writing', async () => {
    const answer = 'Backend is the tightest team: four items ready, three free slots, nothing overdue.';
    const requests = answering('how are the teams doing?', {
      kind: 'message',
      content: [{ type: 'text', text: answer }],
      chunkDelayMs: 150,
    });

    const response = await fetch(`${stack.url}/v1/ai/query?stream=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'how are the teams doing?' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const arrivals = await readEvents(response);

    const deltas = arrivals.filter((arrival) => arrival.event === 'ai.delta');
    expect(deltas.length).toBeGreaterThan(5);
    expect(deltas.map((delta) => (delta.data as { text: string }).text).join('')).toBe(answer);
    expect(arrivals.at(-1)).toMatchObject({
      event: 'ai.done',
      data: { source: 'claude', answer, facts: [] },
    });
    const endedAt = requests().at(-1)?.streamEndedAt;
    expect(endedAt).toBeDefined();
    // The first piece reached the client before the model had finished writing the answer.
    expect(deltas[0]?.at).toBeLessThan(endedAt as number);
  });

  it('sends a keyed streamed answer whole, so that a replay gives the same events', async () => {
    const answer = 'All teams are on track.';
    const requests = answering('are the teams on track?', {
      kind: 'message',
      content: [{ type: 'text', text: answer }],
      chunkDelayMs: 20,
    });
    const ask = () =>
      fetch(`${stack.url}/v1/ai/query?stream=1`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${stack.adminToken}`,
          'content-type': 'application/json',
          'idempotency-key': 'stream-once',
        },
        body: JSON.stringify({ question: 'are the teams on track?' }),
      });

    const first = await ask();
    const firstText = await first.text();
    const replay = await ask();

    expect(first.status).toBe(200);
    expect(firstText).toContain('event: ai.done');
    expect(firstText).toContain(JSON.stringify(answer));
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.text()).toBe(firstText);
    expect(requests()).toHaveLength(1);
  });

  it('reports messages in a dead-letter queue as a critical health finding', async () => {
    answering('no question here');
    const sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: stack.sqsEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: deadLetterQueueName(stack.tablePrefix, escalationsQueue) }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"lost":true}' }));
    sqs.destroy();

    const response = await new ApiClient(stack.url, stack.adminToken).get<{ findings: unknown[] }>(
      '/v1/ai/health',
    );

    expect(response.status, response.text).toBe(200);
    expect(response.body.findings).toContainEqual(
      expect.objectContaining({
        id: 'queue_dead_letters:escalations',
        severity: 'critical',
        message: expect.stringContaining('1 message(s) of escalations'),
      }),
    );
  });
});

/** The server-sent events of a response, each with the time it arrived. */
const readEvents = async (
  response: Response,
): Promise<{ readonly at: number; readonly event: string; readonly data: unknown }[]> => {
  const arrivals: { at: number; event: string; data: unknown }[] = [];
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of response.body ?? []) {
    pending += decoder.decode(chunk, { stream: true });
    for (let cut = pending.indexOf('\n\n'); cut >= 0; cut = pending.indexOf('\n\n')) {
      const block = pending.slice(0, cut);
      pending = pending.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? '';
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? 'null';
      arrivals.push({ at: Date.now(), event, data: JSON.parse(data) });
    }
  }
  return arrivals;
};
