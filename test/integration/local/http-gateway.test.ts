import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { ROUTES } from '#functions/shared/routes';
import {
  GATEWAY_KEEP_ALIVE_MS,
  type GatewayRoute,
  type HttpGateway,
  type HttpHandler,
  startHttpGateway,
} from '#local/http-gateway';
import { ApiClient } from '#test/support/http-client';

type Route = (typeof ROUTES)[number];

let gateway: HttpGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

/** A gateway over the real route table whose handlers record the events they get. */
const recordingGateway = async (respond: HttpHandler = async () => ({ statusCode: 204 }), options = {}) => {
  const calls: { route: Route; event: APIGatewayProxyEventV2 }[] = [];
  const loads: string[] = [];
  gateway = await startHttpGateway<Route>({
    routes: ROUTES,
    port: 0,
    onFailure: () => undefined,
    ...options,
    loadHandler: async (route) => {
      loads.push(route.id);
      return async (event, context) => {
        calls.push({ route, event });
        return respond(event, context);
      };
    },
  });
  // The stand-in handlers answer in the service's place: their replies are no API's to check.
  return { calls, loads, api: new ApiClient(gateway.url, undefined, { checkReplies: false }) };
};

describe('the local HTTP gateway', () => {
  it('hands the route handler an HTTP API payload 2.0 event', async () => {
    const { calls, api } = await recordingGateway();

    await api.request('POST', '/v1/work/w%2041/progress?a=1&b=x%20y&a=2', {
      body: { progress: 5 },
      token: 'secret-token',
      headers: { 'X-Custom': 'Yes' },
    });

    expect(calls).toHaveLength(1);
    const [{ route, event }] = calls as [(typeof calls)[number]];
    expect(route.id).toBe('reportProgress');
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /v1/work/{id}/progress',
      rawPath: '/v1/work/w%2041/progress',
      rawQueryString: 'a=1&b=x%20y&a=2',
      queryStringParameters: { a: '1,2', b: 'x y' },
      pathParameters: { id: 'w 41' },
      body: '{"progress":5}',
      isBase64Encoded: false,
      requestContext: {
        routeKey: 'POST /v1/work/{id}/progress',
        stage: '$default',
        http: {
          method: 'POST',
          path: '/v1/work/w%2041/progress',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
        },
      },
    });
    expect(event.headers).toMatchObject({
      authorization: 'Bearer secret-token',
      'content-type': 'application/json',
      'x-custom': 'Yes',
    });
    expect(event.requestContext.requestId).toMatch(/.+/);
    expect(event.requestContext.timeEpoch).toEqual(expect.any(Number));
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('gives each request a fresh request id', async () => {
    const { calls, api } = await recordingGateway();

    await api.get('/v1/health');
    await api.get('/v1/health');

    const [first, second] = calls.map((call) => call.event.requestContext.requestId);
    expect(first).not.toBe(second);
  });

  it('leaves body, query and path parameters out of the event when the request has none', async () => {
    const { calls, api } = await recordingGateway();

    await api.get('/v1/health');

    const event = calls[0]?.event;
    expect(event).not.toHaveProperty('body');
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('pathParameters');
    expect(event?.rawQueryString).toBe('');
  });

  it('prefers a static segment to a parameter whatever the order of the table', async () => {
    const routes: GatewayRoute[] = [
      { id: 'anyItem', method: 'GET', path: '/items/{id}', entry: 'unused' },
      { id: 'rest', method: 'GET', path: '/items/{path+}', entry: 'unused' },
      { id: 'special', method: 'GET', path: '/items/special', entry: 'unused' },
    ];
    const seen: string[] = [];
    gateway = await startHttpGateway({
      routes,
      port: 0,
      loadHandler: async (route) => async (event) => {
        seen.push(`${route.id} ${JSON.stringify(event.pathParameters ?? {})}`);
        return { statusCode: 204 };
      },
    });
    const api = new ApiClient(gateway.url);

    await api.get('/items/special');
    await api.get('/items/42');
    await api.get('/items/a/b');

    expect(seen).toEqual(['special {}', 'anyItem {"id":"42"}', 'rest {"path":"a/b"}']);
  });

  it('routes claim-next and item reads of the route table by method', async () => {
    const { calls, api } = await recordingGateway();

    await api.post('/v1/work/claim-next', {});
    await api.get('/v1/work/claim-next');

    expect(calls.map((call) => call.route.id)).toEqual(['claimNext', 'getWork']);
    expect(calls[1]?.event.pathParameters).toEqual({ id: 'claim-next' });
  });

  it('writes the status, headers, cookies and body the handler returns', async () => {
    const { api } = await recordingGateway(async () => ({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'r-1' },
      cookies: ['a=1', 'b=2'],
      body: '{"ok":true}',
    }));

    const response = await api.post('/v1/work', {});

    expect(response.status).toBe(201);
    expect(response.body).toEqual({ ok: true });
    expect(response.headers.get('x-request-id')).toBe('r-1');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
  });

  it('writes a streamed body piece by piece as the handler produces it, and says it streams', async () => {
    const body = new PassThrough();
    let streams: unknown;
    const { api } = await recordingGateway(async (_event, context) => {
      streams = (context as { streamsResponse?: unknown }).streamsResponse;
      body.write('event: first\n\n');
      return { statusCode: 200, headers: { 'content-type': 'text/event-stream' }, body: body as never };
    });

    const response = await fetch(`${api.baseUrl}/v1/ai/query`, { method: 'POST', body: '{}' });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    // The handler's stream is still open: the first piece arrived before the answer was complete.
    expect(new TextDecoder().decode(first.value)).toBe('event: first\n\n');
    body.end('event: last\n\n');
    let rest = '';
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      rest += new TextDecoder().decode(next.value);
    }

    expect(streams).toBe(true);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('content-length')).toBeNull();
    expect(rest).toBe('event: last\n\n');
  });

  it('decodes a base64 result body', async () => {
    const { api } = await recordingGateway(async () => ({
      statusCode: 200,
      headers: { 'content-type': 'text/plain' },
      body: Buffer.from('plain text').toString('base64'),
      isBase64Encoded: true,
    }));

    const response = await api.get('/v1/health');

    expect(response.text).toBe('plain text');
  });

  it('answers 200 JSON for a result without statusCode, as API Gateway infers it', async () => {
    const { api } = await recordingGateway(async () => ({ hello: 'world' }) as never);

    const response = await api.get('/v1/health');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.body).toEqual({ hello: 'world' });
  });

  it('answers an unknown path as API Gateway does, without calling a handler', async () => {
    const { calls, api } = await recordingGateway();

    const response = await api.get('/v2/anything');

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ message: 'Not Found' });
    expect(response.headers.get('apigw-requestid')).toMatch(/.+/);
    expect(calls).toEqual([]);
  });

  it('tells the claim-next path its own method, whichever other method is sent', async () => {
    const { calls, api } = await recordingGateway();

    const response = await api.request('PUT', '/v1/work/claim-next', { body: {} });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(calls).toEqual([]);
  });

  it('answers 405 with Allow for a known path and another method', async () => {
    const { calls, api } = await recordingGateway();

    const response = await api.delete('/v1/work/w1');

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(response.error).toMatchObject({ code: 'method_not_allowed', details: { allow: ['GET', 'HEAD'] } });
    expect(calls).toEqual([]);
  });

  it("refuses a body over API Gateway's 10 MiB limit with 413 payload_too_large, before any handler runs", async () => {
    const { calls, api } = await recordingGateway();

    const response = await api.request('POST', '/v1/work', { rawBody: 'x'.repeat(10 * 1024 * 1024 + 1) });

    expect(response.status).toBe(413);
    expect(response.error).toMatchObject({
      code: 'payload_too_large',
      details: { limitBytes: 10 * 1024 * 1024 },
    });
    expect(calls).toEqual([]);
  });

  it('passes a body of exactly 10 MiB through: the route limit is the handler to answer', async () => {
    const { calls, api } = await recordingGateway();

    await api.request('POST', '/v1/work', {
      rawBody: 'x'.repeat(10 * 1024 * 1024),
      contentType: 'text/plain',
    });

    expect(calls[0]?.event.body).toHaveLength(10 * 1024 * 1024);
  });

  it('refuses a body over a smaller gateway limit when told one', async () => {
    const { calls, api } = await recordingGateway(undefined, { maxBodyBytes: 1024 });

    const response = await api.request('POST', '/v1/work', { rawBody: 'x'.repeat(1025) });

    expect(response.status).toBe(413);
    expect(response.error).toMatchObject({ code: 'payload_too_large', details: { limitBytes: 1024 } });
    expect(calls).toEqual([]);
  });

  it('base64-encodes a binary body, as API Gateway does', async () => {
    const { calls, api } = await recordingGateway();

    await api.request('POST', '/v1/work', {
      rawBody: new Uint8Array([0, 255, 1]),
      contentType: 'application/octet-stream',
    });

    expect(calls[0]?.event).toMatchObject({ body: 'AP8B', isBase64Encoded: true });
  });

  it('answers 500 internal without the exception text when the handler throws', async () => {
    const { api } = await recordingGateway(async () => {
      throw new Error('secret database detail');
    });

    const response = await api.get('/v1/health');

    expect(response.status).toBe(500);
    expect(response.error?.code).toBe('internal');
    expect(response.text).not.toContain('secret database detail');
  });

  it('answers 503 with Retry-After when the handler does not finish in time', async () => {
    const { api } = await recordingGateway(() => new Promise(() => undefined), { timeoutMs: 50 });

    const response = await api.get('/v1/health');

    expect(response.status).toBe(503);
    expect(response.error?.code).toBe('unavailable');
    expect(response.headers.get('retry-after')).toBe('1');
  });

  it('loads each handler once, however many requests arrive at once', async () => {
    const { loads, api } = await recordingGateway();

    await Promise.all(Array.from({ length: 5 }, () => api.get('/v1/health')));

    expect(loads).toEqual(['health']);
  });

  it('imports the route entry module from the project root and passes a Lambda context', async () => {
    const route: GatewayRoute = {
      id: 'echo',
      method: 'GET',
      path: '/echo/{name}',
      entry: 'test/integration/local/fixtures/echo-handler.ts',
    };
    gateway = await startHttpGateway({ routes: [route], port: 0 });

    const response = await new ApiClient(gateway.url).get<{
      event: APIGatewayProxyEventV2;
      functionName: string;
      remainingMs: number;
    }>('/echo/ada');

    expect(response.status).toBe(200);
    expect(response.body.event.pathParameters).toEqual({ name: 'ada' });
    expect(response.body.functionName).toBe('coord-local-echo');
    expect(response.body.remainingMs).toBeGreaterThan(0);
    expect(response.headers.get('x-request-id')).toBe(response.body.event.requestContext.requestId);
  });
});

describe('the local HTTP gateway on odd requests', () => {
  it('answers HEAD like GET, through the GET route, without a body', async () => {
    const { calls, api } = await recordingGateway(async () => ({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"status":"ok"}',
    }));

    const response = await api.request('HEAD', '/v1/health');

    expect(response.status).toBe(200);
    expect(response.text).toBe('');
    expect(calls.map((call) => call.route.id)).toEqual(['health']);
    expect(calls[0]?.event.requestContext.http.method).toBe('HEAD');
  });

  it('lists HEAD among the allowed methods of a GET route', async () => {
    const { api } = await recordingGateway();

    const response = await api.delete('/v1/health');

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers OPTIONS with the methods a known path takes and no body', async () => {
    const { calls, api } = await recordingGateway();

    const response = await api.request('OPTIONS', '/v1/work');

    expect(response.status).toBe(204);
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(calls).toEqual([]);
  });

  it('sends no CORS headers when no origin is configured, whatever the origin', async () => {
    const { api } = await recordingGateway();

    const response = await api.request('OPTIONS', '/v1/work', {
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });

    expect(response.status).toBe(204);
    expect([...response.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  it('takes no trailing slash: another path, unknown to API Gateway', async () => {
    const { calls, api } = await recordingGateway();

    const response = await api.get('/v1/work/');

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ message: 'Not Found' });
    expect(calls).toEqual([]);
  });

  it('answers 500 in the API error shape when a local answer fails (never a closed socket)', async () => {
    const failing = async () => {
      throw new Error('local answer broke');
    };
    const { api } = await recordingGateway(undefined, { localAnswers: { 'GET /metrics': failing } });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      const response = await api.get('/metrics');

      expect(response.status).toBe(500);
      expect(response.error).toMatchObject({ code: 'internal' });
      expect(errors).toHaveLength(1);
    } finally {
      console.error = original;
    }
  });
});

describe('the local HTTP gateway’s idle connections', () => {
  it('keeps an idle keep-alive connection past Node’s 5 s default, so a client reusing it is not reset', async () => {
    await recordingGateway();
    const url = new URL('/v1/health', gateway?.url);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number; reused: boolean; keepAlive: string }>((resolve, reject) => {
        const request = httpGet(url, { agent }, (response) => {
          response.resume();
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              reused: request.reusedSocket,
              keepAlive: String(response.headers['keep-alive']),
            }),
          );
        });
        request.on('error', reject);
      });
    try {
      const first = await get();
      expect(first).toMatchObject({ reused: false, keepAlive: `timeout=${GATEWAY_KEEP_ALIVE_MS / 1000}` });
      await new Promise((resolve) => setTimeout(resolve, 5_500));
      const second = await get();
      expect(second).toMatchObject({ status: first.status, reused: true });
    } finally {
      agent.destroy();
    }
  }, 15_000);
});

describe('the local HTTP gateway under a burst of new connections', () => {
  it('accepts many waiting connections per event-loop turn, not one', async () => {
    const { calls } = await recordingGateway();
    const port = gateway?.port ?? 0;
    const clients = 64;
    const dir = mkdtempSync(join(tmpdir(), 'gateway-burst-'));
    const sent = join(dir, 'sent');
    // Another process opens the connections and sends a request on each, then says so in a file;
    // this process waits for the file without turning its event loop, so every connection is
    // waiting in the kernel (not yet accepted) when the loop turns again.
    const script = `
      const net = require('node:net');
      const fs = require('node:fs');
      let written = 0;
      let answered = 0;
      for (let i = 0; i < ${clients}; i += 1) {
        const socket = net.connect(${port}, '127.0.0.1', () =>
          socket.write('GET /v1/health HTTP/1.1\\r\\nhost: local\\r\\n\\r\\n', () => {
            written += 1;
            if (written === ${clients}) fs.writeFileSync(${JSON.stringify(sent)}, '');
          }),
        );
        socket.once('data', () => {
          answered += 1;
          if (answered === ${clients}) process.exit(0);
        });
      }
      setTimeout(() => process.exit(1), 20000);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: 'inherit' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const deadline = Date.now() + 10_000;
      while (!existsSync(sent) && Date.now() < deadline) {
        // Blocks the event loop on purpose: nothing is accepted meanwhile.
      }
      expect(existsSync(sent)).toBe(true);
      let turns = 0;
      await new Promise<void>((resolve) => {
        const turn = () => {
          if (calls.length >= clients || turns >= 10 * clients) resolve();
          else {
            turns += 1;
            setImmediate(turn);
          }
        };
        setImmediate(turn);
      });

      expect(calls).toHaveLength(clients);
      // One listening socket accepts one connection per loop turn: at least `clients` turns.
      expect(turns).toBeLessThan(clients / 2);
      expect(await exited).toBe(0);
    } finally {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('refuses a port another gateway listens on, although its sockets share their port with each other', async () => {
    await recordingGateway();
    const port = gateway?.port ?? 0;

    await expect(startHttpGateway({ routes: ROUTES, port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('the local HTTP gateway under more requests than it runs at once', () => {
  it('runs at most its concurrency of invocations and starts the others in arrival order', async () => {
    let running = 0;
    let most = 0;
    const started: string[] = [];
    const { api } = await recordingGateway(
      async (event) => {
        running += 1;
        most = Math.max(most, running);
        started.push(event.rawQueryString);
        await new Promise((resolve) => setTimeout(resolve, 30));
        running -= 1;
        return { statusCode: 204 };
      },
      { concurrency: 2 },
    );
    const answers: Promise<{ status: number }>[] = [];
    for (let i = 0; i < 6; i += 1) {
      answers.push(api.request('GET', `/v1/health?n=${i}`));
      // Each request reaches the gateway before the next is sent.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }

    expect((await Promise.all(answers)).map((answer) => answer.status)).toEqual([
      204, 204, 204, 204, 204, 204,
    ]);
    expect(most).toBe(2);
    expect(started).toEqual(['n=0', 'n=1', 'n=2', 'n=3', 'n=4', 'n=5']);
  });

  it('counts the integration timeout from the start of the invocation, not from the wait for it', async () => {
    const { api } = await recordingGateway(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        return { statusCode: 204 };
      },
      { concurrency: 1, timeoutMs: 500 },
    );

    // The third waits about 600 ms for its turn, longer than the timeout, and is still answered.
    const answers = await Promise.all([0, 1, 2].map((i) => api.request('GET', `/v1/health?n=${i}`)));

    expect(answers.map((answer) => answer.status)).toEqual([204, 204, 204]);
  });

  it('frees the slot of an invocation that timed out', async () => {
    let calls = 0;
    const { api } = await recordingGateway(
      async () => {
        calls += 1;
        if (calls === 1) await new Promise((resolve) => setTimeout(resolve, 1000));
        return { statusCode: 204 };
      },
      { concurrency: 1, timeoutMs: 200 },
    );

    const [slow, next] = await Promise.all([
      api.request('GET', '/v1/health?n=0'),
      new Promise((resolve) => setTimeout(resolve, 20)).then(() => api.request('GET', '/v1/health?n=1')),
    ]);

    expect(slow.status).toBe(503);
    expect(next.status).toBe(204);
  });
});
