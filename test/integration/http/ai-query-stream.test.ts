/**
 * The function URL entry of `POST /v1/ai/query` (`functions/url/ai-query.ts`) as Lambda's
 * streaming runtime runs it: `awslambda.streamifyResponse` and `HttpResponseStream.from` are
 * stand-ins that record what the handler does, the response stream records each write and when
 * it happened; the real SDK talks to the fake Messages API, the store is DynamoDB Local.
 */
import { Writable } from 'node:stream';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { aWorkItem } from '#test/support/builders';
import { insert } from '#test/support/dynamo';
import { type FakeAnthropic, failure, startFakeAnthropic, text } from '#test/support/fake-anthropic';
import { apiEvent, lambdaContext } from '../../unit/functions/support/api-event';
import { ADMIN, call, useHandlerStore } from './handlers';

type StreamHandler = (event: APIGatewayProxyEventV2, stream: Writable, context: Context) => Promise<void>;

/** What `HttpResponseStream.from` was given, per invocation. */
const metadataSeen: { statusCode: number; headers: Record<string, string> }[] = [];
let streamified = 0;
let handler: StreamHandler;
let fake: FakeAnthropic;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  vi.stubEnv('ANTHROPIC_API_KEY', 'sk-ant-test');
  vi.stubEnv('ANTHROPIC_BASE_URL', fake.url);
  vi.stubGlobal('awslambda', {
    streamifyResponse: (inner: StreamHandler) => {
      streamified += 1;
      return inner;
    },
    HttpResponseStream: {
      from: (stream: Writable, metadata: (typeof metadataSeen)[number]) => {
        metadataSeen.push(metadata);
        return stream;
      },
    },
  });
  ({ handler } = (await import('#functions/url/ai-query')) as unknown as { handler: StreamHandler });
});
afterAll(async () => {
  vi.unstubAllGlobals();
  await fake.close();
});

const storeOf = useHandlerStore('url-ai-query');

beforeAll(async () => {
  const answer = await call('updateConfig', {
    token: ADMIN,
    body: { ai: { maxRetries: 0, maxRequestsPerMinute: 10_000 } },
  });
  expect(answer.status).toBe(200);
  await insert(storeOf().ports, {
    work: [aWorkItem({ title: 'Some ready work', readyAt: new Date().toISOString() })],
  });
});
beforeEach(() => {
  fake.reset();
  metadataSeen.length = 0;
});

/** A response stream that keeps every write with the time it happened. */
const recordingStream = () => {
  const writes: { at: number; text: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push({ at: Date.now(), text: chunk.toString('utf8') });
      done();
    },
  });
  return { stream, writes, body: () => writes.map((w) => w.text).join('') };
};

/** A function URL event: payload 2.0, route key `$default`, the URL's own path. */
const urlEvent = (options: { method?: string; token?: string; body?: unknown; stream?: boolean }) => ({
  ...apiEvent({
    method: options.method ?? 'POST',
    path: '/',
    ...(options.token ? { token: options.token } : {}),
    ...(options.body === undefined ? {} : { body: options.body }),
    ...(options.stream ? { query: { stream: '1' } } : {}),
  }),
  routeKey: '$default',
});

const eventsOf = (body: string) =>
  body
    .split('\n\n')
    .filter(Boolean)
    .map((block) => {
      const [eventLine = '', dataLine = ''] = block.split('\n');
      return { event: eventLine.slice('event: '.length), data: JSON.parse(dataLine.slice('data: '.length)) };
    });

describe('POST /v1/ai/query from the streaming function URL', () => {
  it('is wrapped by awslambda.streamifyResponse', () => {
    expect(streamified).toBe(1);
  });

  it('writes each piece of Claude’s answer to the client before Claude has finished', async () => {
    const words = 'Nothing is blocked and every agent has a free slot right now.';
    fake.enqueue({ kind: 'message', content: [{ type: 'text', text: words }], chunkDelayMs: 40 });
    const out = recordingStream();

    await handler(
      urlEvent({ token: ADMIN, body: { question: 'What is blocked?' }, stream: true }),
      out.stream,
      lambdaContext(),
    );

    expect(metadataSeen).toHaveLength(1);
    expect(metadataSeen[0]?.statusCode).toBe(200);
    expect(metadataSeen[0]?.headers['content-type']).toBe('text/event-stream');
    expect(metadataSeen[0]?.headers['x-request-id']).toBeDefined();
    const events = eventsOf(out.body());
    const deltas = events.filter((e) => e.event === 'ai.delta').map((e) => e.data.text);
    expect(deltas.length).toBeGreaterThan(5);
    expect(deltas.join('')).toBe(words);
    expect(events.at(-1)).toEqual({ event: 'ai.done', data: { source: 'claude', answer: words, facts: [] } });
    // The first piece reached the client while the fake was still writing the rest.
    const firstDelta = out.writes.find((w) => w.text.includes('ai.delta'));
    expect(firstDelta?.at).toBeLessThan(fake.requests[0]?.streamEndedAt ?? 0);
  });

  it('streams the heuristic answer with its fallbackReason when Claude fails', async () => {
    fake.respondWith(() => failure(529));
    const out = recordingStream();

    await handler(
      urlEvent({ token: ADMIN, body: { question: 'What is blocked?' }, stream: true }),
      out.stream,
      lambdaContext(),
    );

    const events = eventsOf(out.body());
    expect(events.map((e) => e.event)).toEqual(['ai.delta', 'ai.done']);
    expect(events[1]?.data).toMatchObject({ source: 'heuristic', fallbackReason: 'error' });
    expect(events[0]?.data.text).toBe(events[1]?.data.answer);
  });

  it('answers JSON without ?stream=1, as the HTTP API does', async () => {
    fake.enqueue(text('All fine.'));
    const out = recordingStream();

    await handler(
      urlEvent({ token: ADMIN, body: { question: 'Anything wrong?' } }),
      out.stream,
      lambdaContext(),
    );

    expect(metadataSeen[0]?.statusCode).toBe(200);
    expect(metadataSeen[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(out.body())).toEqual({ source: 'claude', answer: 'All fine.', facts: [] });
  });

  it('checks the bearer token as the HTTP routes do: 401 without one, and Claude is not asked', async () => {
    const out = recordingStream();

    await handler(
      urlEvent({ body: { question: 'What is blocked?' }, stream: true }),
      out.stream,
      lambdaContext(),
    );

    expect(metadataSeen[0]?.statusCode).toBe(401);
    expect(JSON.parse(out.body()).error.code).toBe('unauthorized');
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses a bad body with 400 and another method with 405, changing nothing', async () => {
    const bad = recordingStream();
    const get = recordingStream();

    await handler(
      urlEvent({ token: ADMIN, body: { question: '' }, stream: true }),
      bad.stream,
      lambdaContext(),
    );
    await handler(urlEvent({ method: 'GET', token: ADMIN }), get.stream, lambdaContext());

    expect(metadataSeen.map((m) => m.statusCode)).toEqual([400, 405]);
    expect(JSON.parse(bad.body()).error.code).toBe('validation_error');
    expect(metadataSeen[1]?.headers.allow).toBe('POST');
    expect(JSON.parse(get.body()).error.code).toBe('method_not_allowed');
    expect(fake.requests).toHaveLength(0);
  });
});
