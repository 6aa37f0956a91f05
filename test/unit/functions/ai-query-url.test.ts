import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { routes } from '#functions/shared/routes';
import { createStreamingHandler, preludeWriter } from '#functions/url/streaming';
import { apiEvent, lambdaContext } from './support/api-event';

const sink = () => {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, bytes: () => Buffer.concat(chunks) };
};

const post = apiEvent({ method: 'POST', path: '/', body: { question: 'q' } });

describe('the streaming function URL adapter', () => {
  it('writes the status and headers as Lambda does (JSON, then eight zero bytes), then the body', async () => {
    const out = sink();
    const handler = createStreamingHandler(
      routes.aiQuery,
      async () => ({
        statusCode: 201,
        headers: { 'content-type': 'application/json', 'x-n': 1 as never },
        body: '{"ok":true}',
      }),
      preludeWriter,
    );

    await handler(post, out.stream, lambdaContext());

    const bytes = out.bytes();
    const zeros = bytes.indexOf(Buffer.alloc(8));
    expect(JSON.parse(bytes.subarray(0, zeros).toString())).toEqual({
      statusCode: 201,
      headers: { 'content-type': 'application/json', 'x-n': '1' },
    });
    expect(bytes.subarray(zeros + 8).toString()).toBe('{"ok":true}');
  });

  it('pipes a streamed body piece by piece, and tells the route handler that the runtime streams', async () => {
    const out = sink();
    const body = new PassThrough();
    let streams: boolean | undefined;
    const handler = createStreamingHandler(
      routes.aiQuery,
      async (_event, context) => {
        streams = context.streamsResponse;
        return { statusCode: 200, headers: {}, body: body as unknown as string };
      },
      (stream) => stream,
    );

    const done = handler(post, out.stream, lambdaContext());
    body.write('event: ai.delta\n\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.bytes().toString()).toBe('event: ai.delta\n\n');
    body.end('event: ai.done\n\n');
    await done;

    expect(streams).toBe(true);
    expect(out.bytes().toString()).toBe('event: ai.delta\n\nevent: ai.done\n\n');
  });

  it('answers 405 with allow for a method the route does not take, without calling it', async () => {
    const out = sink();
    let called = false;
    const handler = createStreamingHandler(
      routes.aiQuery,
      async () => {
        called = true;
        return { statusCode: 200 };
      },
      preludeWriter,
    );

    await handler(apiEvent({ method: 'DELETE', path: '/' }), out.stream, lambdaContext());

    const bytes = out.bytes();
    const zeros = bytes.indexOf(Buffer.alloc(8));
    expect(JSON.parse(bytes.subarray(0, zeros).toString())).toMatchObject({
      statusCode: 405,
      headers: { allow: 'POST' },
    });
    expect(JSON.parse(bytes.subarray(zeros + 8).toString()).error.code).toBe('method_not_allowed');
    expect(called).toBe(false);
  });
});
