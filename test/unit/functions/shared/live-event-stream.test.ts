import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { UnavailableError } from '#core/errors';
import { liveEventStream, type SendEvent } from '#functions/shared/http';
import { routes } from '#functions/shared/routes';
import { apiEvent, type EventHandler, lambdaContext } from '../support/api-event';
import { ADMIN, testHttpRoute } from '../support/runtime';

const query = {
  method: 'POST',
  path: '/v1/ai/query',
  token: ADMIN,
  body: { question: 'who is idle?' },
} as const;

/** A route answering with `produce`'s events; `streams` says whether the runtime streams. */
const run = (produce: (send: SendEvent) => Promise<void>, streams: boolean) => {
  const handler = testHttpRoute(routes.aiQuery, async () =>
    liveEventStream(produce),
  ) as unknown as EventHandler;
  return handler(apiEvent(query), {
    ...lambdaContext(),
    ...(streams ? { streamsResponse: true } : {}),
  }) as Promise<APIGatewayProxyStructuredResultV2>;
};

describe('liveEventStream', () => {
  it('answers every event in one body where the runtime does not stream', async () => {
    const result = await run(async (send) => {
      send('ai.delta', { text: 'a' });
      await new Promise((wake) => setTimeout(wake, 5));
      send('ai.done', { answer: 'a' });
    }, false);

    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toBe('text/event-stream');
    expect(result.body).toBe(
      'event: ai.delta\ndata: {"text":"a"}\n\nevent: ai.done\ndata: {"answer":"a"}\n\n',
    );
  });

  it('answers as soon as the first event exists where the runtime streams, and the rest follows', async () => {
    let finish: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const result = await run(async (send) => {
      send('ai.delta', { text: 'first' });
      await gate;
      send('ai.done', { answer: 'first' });
    }, true);

    // The producer is still waiting: the answer was made from the first event alone.
    const body = result.body as unknown as Readable;
    expect(body).toBeInstanceOf(Readable);
    expect(String(body.read())).toBe('event: ai.delta\ndata: {"text":"first"}\n\n');
    finish();
    expect(await text(body)).toBe('event: ai.done\ndata: {"answer":"first"}\n\n');
  });

  it('answers a failure before any event with its own status (503 for an outage)', async () => {
    const result = await run(async () => {
      throw new UnavailableError('The store is unavailable.');
    }, true);

    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body ?? '{}').error.code).toBe('unavailable');
  });

  it('answers 503 where it collects the events and the producer fails after the first one', async () => {
    const result = await run(async (send) => {
      send('ai.delta', { text: 'half' });
      throw new UnavailableError('The store is unavailable.');
    }, false);

    expect(result.statusCode).toBe(503);
  });
});
