/**
 * OpenTelemetry export of `npm start`: with `OTEL_EXPORTER_OTLP_ENDPOINT` set, every HTTP request
 * the local gateway answers arrives at the collector as a span (OTLP/HTTP JSON at `/v1/traces`),
 * named by its route, with the method, route, status and the reply's `x-request-id`; the spans
 * still buffered are sent when the stack stops. Without the variable no exporter is created.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHttpGateway } from '#local/http-gateway';
import { DEFAULT_SERVICE_NAME, startLocalTracing, tracesUrlOf } from '#local/otel';
import { ApiClient } from '#test/support/http-client';
import { spawnLocalStack } from '#test/support/local-stack';

const SLOW = 180_000;

type OtlpValue = { stringValue?: string; intValue?: number | string };
type OtlpAttribute = { key: string; value: OtlpValue };
interface OtlpSpan {
  name: string;
  attributes: OtlpAttribute[];
  status?: { code?: number };
}
interface OtlpExport {
  resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

/** A span as the test reads it: name, status code and attributes as plain values. */
interface SeenSpan {
  readonly service: string | undefined;
  readonly name: string;
  readonly status: number;
  readonly attributes: Readonly<Record<string, string | number>>;
}

const plain = (attributes: OtlpAttribute[]): Record<string, string | number> =>
  Object.fromEntries(
    attributes.map(({ key, value }) => [
      key,
      value.stringValue ?? (value.intValue === undefined ? '' : Number(value.intValue)),
    ]),
  );

const posts: { path: string; contentType: string | undefined }[] = [];
const spans: SeenSpan[] = [];
let collector: Server;
let collectorUrl: string;

beforeAll(async () => {
  collector = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      posts.push({ path: request.url ?? '', contentType: request.headers['content-type'] });
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport;
      for (const resourceSpans of body.resourceSpans) {
        const service = plain(resourceSpans.resource.attributes)['service.name'];
        for (const scope of resourceSpans.scopeSpans) {
          for (const span of scope.spans) {
            spans.push({
              service: typeof service === 'string' ? service : undefined,
              name: span.name,
              status: span.status?.code ?? 0,
              attributes: plain(span.attributes),
            });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => collector.close(() => resolve()));
});

describe('OpenTelemetry export of the local stack', () => {
  it(
    'sends a span per HTTP request and WebSocket route invocation to <endpoint>/v1/traces, flushed on stop',
    async () => {
      const stack = await spawnLocalStack({
        OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
        OTEL_SERVICE_NAME: 'coord-otel-test',
        // Nothing is sent on a timer during the test: only the flush on stop delivers the spans.
        OTEL_BSP_SCHEDULE_DELAY: '600000',
      });
      let stopped = false;
      try {
        const health = await fetch(`${stack.url}/v1/health`);
        const registered = await new ApiClient(stack.url, stack.registrationKey).post<{ token: string }>(
          '/v1/agents',
          { id: 'otel-agent-1', team: 'otel-team' },
        );
        const claimed = await new ApiClient(stack.url, registered.body.token).post('/v1/work/claim-next', {
          agentId: 'otel-agent-1',
        });
        const unknown = await fetch(`${stack.url}/v1/no-such-route`);
        // A WebSocket connection: its $connect, one message and its $disconnect are route invocations.
        const socket = new WebSocket(`${stack.wsUrl}/?token=${registered.body.token}`);
        await new Promise<void>((resolve, reject) => {
          socket.once('open', () => resolve());
          socket.once('error', reject);
        });
        socket.send(JSON.stringify({ action: 'ping' }));
        await new Promise((resolve) => socket.once('message', resolve));
        socket.close();
        await new Promise((resolve) => socket.once('close', resolve));
        expect([health.status, registered.status, claimed.status, unknown.status]).toEqual([
          200, 201, 204, 404,
        ]);
        expect(posts).toEqual([]);

        expect(await stack.stop()).toBe(0);
        stopped = true;

        expect(posts.length).toBeGreaterThan(0);
        expect(posts.every((post) => post.path === '/v1/traces')).toBe(true);
        expect(posts[0]?.contentType).toMatch(/^application\/json/);
        expect(new Set(spans.map((span) => span.service))).toEqual(new Set(['coord-otel-test']));

        const spanOf = (requestId: string | null) => {
          const found = spans.filter((span) => span.attributes['coord.request_id'] === requestId);
          expect(found, `one span for request ${requestId}`).toHaveLength(1);
          return found[0] as SeenSpan;
        };
        expect(spanOf(health.headers.get('x-request-id'))).toMatchObject({
          name: 'health',
          status: 0,
          attributes: {
            'http.request.method': 'GET',
            'http.route': '/v1/health',
            'http.response.status_code': 200,
          },
        });
        expect(spanOf(registered.headers.get('x-request-id'))).toMatchObject({
          name: 'registerAgent',
          attributes: {
            'http.request.method': 'POST',
            'http.route': '/v1/agents',
            'http.response.status_code': 201,
            'coord.team': 'otel-team',
          },
        });
        expect(spanOf(claimed.headers.get('x-request-id'))).toMatchObject({
          name: 'claimNext',
          attributes: {
            'http.request.method': 'POST',
            'http.route': '/v1/work/claim-next',
            'http.response.status_code': 204,
          },
        });
        const notFound = spans.find((span) => span.attributes['url.path'] === '/v1/no-such-route');
        expect(notFound).toMatchObject({
          name: 'GET /v1/no-such-route',
          attributes: { 'http.request.method': 'GET', 'http.response.status_code': 404 },
        });
        expect(notFound?.attributes['http.route']).toBeUndefined();
        const wsSpans = spans.filter((span) => span.attributes['coord.ws.route_key'] !== undefined);
        expect(wsSpans.find((span) => span.name === 'wsConnect')?.attributes).toMatchObject({
          'coord.ws.route_key': '$connect',
          'coord.ws.status_code': 200,
        });
        expect(wsSpans.find((span) => span.name === 'wsMessage')?.attributes).toMatchObject({
          'coord.ws.route_key': 'ping',
        });
        expect(new Set(wsSpans.map((span) => span.attributes['coord.ws.connection_id'])).size).toBe(1);
      } finally {
        if (!stopped) await stack.stop();
      }
    },
    SLOW,
  );

  it('creates no exporter unless an OTLP endpoint is set', async () => {
    expect(tracesUrlOf({})).toBeUndefined();
    expect(tracesUrlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBeUndefined();
    expect(startLocalTracing({})).toBeUndefined();
    expect(tracesUrlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      tracesUrlOf({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/custom',
      }),
    ).toBe('http://traces:4318/custom');
    const tracing = startLocalTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl });
    expect(tracing?.url).toBe(`${collectorUrl}/v1/traces`);
    await tracing?.shutdown();
    expect(DEFAULT_SERVICE_NAME).toBe('coord-local');
  });

  it('marks a request its handler failed (500) as an error span, with the work item it names', async () => {
    const tracing = startLocalTracing({
      OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
      OTEL_SERVICE_NAME: 'failing',
    });
    if (!tracing) throw new Error('no tracing');
    const gateway = await startHttpGateway({
      routes: [{ id: 'getWork', method: 'GET', path: '/v1/work/{id}', entry: 'unused' }],
      port: 0,
      onFailure: () => undefined,
      loadHandler: async () => async () => {
        throw new Error('broken handler');
      },
      observe: tracing.observeHttp,
    });
    try {
      const answer = await fetch(`${gateway.url}/v1/work/wi_123`);
      expect(answer.status).toBe(500);
      await gateway.close();
      await tracing.shutdown();
      const failed = spans.filter((span) => span.service === 'failing');
      expect(failed).toEqual([
        expect.objectContaining({
          name: 'getWork',
          status: 2,
          attributes: expect.objectContaining({
            'http.response.status_code': 500,
            'coord.work': 'wi_123',
            'coord.request_id': answer.headers.get('apigw-requestid'),
          }),
        }),
      ]);
    } finally {
      await gateway.close();
    }
  });
});
