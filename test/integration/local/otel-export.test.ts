/**
 * OpenTelemetry export of `npm start`: with `OTEL_EXPORTER_OTLP_ENDPOINT` set, every HTTP request
 * the local gateway answers arrives at the collector as a span (OTLP/HTTP JSON at `/v1/traces`),
 * named by its route, with the method, route, status and the reply's `x-request-id`; so does every
 * batch a queue or stream consumer is handed and every sweeper run, and a queue message carries
 * the sending span's `traceparent`, so the consumer's span continues the request's trace. The
 * spans still buffered are sent when the stack stops. Without the variable no exporter is created.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { sqsMessageAttributes, TRACEPARENT_ATTRIBUTE } from '#adapters/sqs/queue-publisher';
import { heartbeatsQueue } from '#adapters/sqs/queues';
import { startHttpGateway } from '#local/http-gateway';
import { DEFAULT_SERVICE_NAME, spanContextOfTraceparent, startLocalTracing, tracesUrlOf } from '#local/otel';
import { startSqsPoller } from '#local/pollers/sqs-poller';
import { unique } from '#test/support/builders';
import { ApiClient } from '#test/support/http-client';
import { spawnLocalStack } from '#test/support/local-stack';
import { createTestQueue } from '../queues/queue-support';

const SLOW = 180_000;

/**
 * The run's DynamoDB Local and SQS emulator, with tables and queues of the stack's own: the stack
 * starts no emulator (what it exports is all this file checks, and that does not depend on them).
 */
const sharedEmulators = () => ({
  AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
  AWS_ENDPOINT_URL_SQS: inject('sqsEndpoint'),
  COORD_TABLE_PREFIX: `otel-${unique()}`,
});
/** OTLP span kinds. */
const INTERNAL = 1;
const SERVER = 2;
const CONSUMER = 5;

type OtlpValue = { stringValue?: string; intValue?: number | string };
type OtlpAttribute = { key: string; value: OtlpValue };
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  kind: number;
  name: string;
  attributes: OtlpAttribute[];
  links?: { traceId: string; spanId: string }[];
  status?: { code?: number };
}
interface OtlpExport {
  resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

/** A span as the test reads it: name, status code and attributes as plain values. */
interface SeenSpan {
  readonly service: string | undefined;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  /** OTLP span kind: 1 internal, 2 server, 5 consumer. */
  readonly kind: number;
  readonly links: readonly string[];
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
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId || undefined,
              kind: span.kind,
              links: (span.links ?? []).map((link) => `${link.traceId}/${link.spanId}`),
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
        ...sharedEmulators(),
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
          const found = spans.filter(
            (span) => span.kind === SERVER && span.attributes['coord.request_id'] === requestId,
          );
          expect(found, `one server span for request ${requestId}`).toHaveLength(1);
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

  it(
    "continues a heartbeat's trace from its HTTP request to its consumer batch, and spans stream batches, sweeper runs and failed messages",
    async () => {
      const service = 'coord-otel-consumers';
      const stack = await spawnLocalStack({
        ...sharedEmulators(),
        OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
        OTEL_SERVICE_NAME: service,
        // Spans are sent within a fifth of a second, so the test can wait for each one.
        OTEL_BSP_SCHEDULE_DELAY: '200',
        COORD_SWEEP_INTERVAL_MS: '500',
      });
      const sqs = new SQSClient({
        region: 'us-east-1',
        endpoint: stack.sqsEndpoint,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      const ours = () => spans.filter((span) => span.service === service);
      const waitForSpan = async (what: string, test: (span: SeenSpan) => boolean): Promise<SeenSpan> => {
        const deadline = Date.now() + 30_000;
        for (;;) {
          const found = ours().find(test);
          if (found) return found;
          if (Date.now() > deadline) {
            throw new Error(
              `no ${what} span within 30 s; got ${ours()
                .map((span) => span.name)
                .join(', ')}`,
            );
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      try {
        const registered = await new ApiClient(stack.url, stack.registrationKey).post<{ token: string }>(
          '/v1/agents',
          { id: 'otel-agent-2', team: 'otel-team-2' },
        );
        expect(registered.status).toBe(201);
        const heartbeat = await new ApiClient(stack.url, registered.body.token).post(
          '/v1/agents/otel-agent-2/heartbeat',
          { status: 'active' },
        );
        expect(heartbeat.status).toBe(202);
        const requestId = heartbeat.headers.get('x-request-id');
        expect(requestId).toBeTruthy();

        const request = await waitForSpan(
          'heartbeat request',
          (span) => span.kind === SERVER && span.attributes['coord.request_id'] === requestId,
        );
        const consumer = await waitForSpan(
          'heartbeats consumer',
          (span) => span.kind === CONSUMER && span.attributes['coord.request_id'] === requestId,
        );
        // One trace: the consumer's batch is the child of the request that sent its message, and linked to it.
        expect(consumer).toMatchObject({
          name: 'process heartbeats',
          traceId: request.traceId,
          parentSpanId: request.spanId,
          links: [`${request.traceId}/${request.spanId}`],
          status: 0,
          attributes: {
            'messaging.system': 'aws_sqs',
            'messaging.destination.name': `${stack.tablePrefix}-heartbeats`,
            'messaging.operation.type': 'process',
            'messaging.operation.name': 'process',
            'messaging.batch.message_count': 1,
            'coord.agent': 'otel-agent-2',
            'coord.messages.failed': 0,
          },
        });
        expect(consumer.attributes['messaging.message.id']).toMatch(/\S/);

        // Registration wrote an event: the events stream's consumers were handed it.
        const broadcast = await waitForSpan('broadcaster', (span) => span.name === 'process broadcaster');
        expect(broadcast).toMatchObject({
          kind: CONSUMER,
          status: 0,
          attributes: {
            'messaging.destination.name': `${stack.tablePrefix}-Events`,
            'coord.stream.consumer': 'broadcaster',
            'coord.attempt': 1,
          },
        });
        expect(broadcast.attributes['messaging.batch.message_count']).toBeGreaterThanOrEqual(1);
        await waitForSpan('metrics rollup', (span) => span.name === 'process metricsRollup');

        const sweep = await waitForSpan('sweeper', (span) => span.name === 'sweeper');
        expect(sweep).toMatchObject({ kind: INTERNAL, status: 0, parentSpanId: undefined });
        expect(sweep.attributes['coord.request_id']).toMatch(/\S/);

        // A message no consumer can read fails its batch item: the batch span is an error.
        const { QueueUrl } = await sqs.send(
          new GetQueueUrlCommand({ QueueName: `${stack.tablePrefix}-heartbeats` }),
        );
        const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'not json' }));
        const failed = await waitForSpan(
          'failed heartbeats batch',
          (span) => span.attributes['messaging.message.id'] === sent.MessageId,
        );
        expect(failed).toMatchObject({
          name: 'process heartbeats',
          kind: CONSUMER,
          status: 2,
          parentSpanId: undefined,
          links: [],
          attributes: { 'messaging.batch.message_count': 1, 'coord.messages.failed': 1 },
        });
      } finally {
        sqs.destroy();
        await stack.stop();
      }
    },
    SLOW,
  );

  it("puts the active span's traceparent on queue messages while tracing runs, and only then", async () => {
    const given = { requestId: 'req-1' };
    expect(sqsMessageAttributes(() => given)).toEqual({
      requestId: { DataType: 'String', StringValue: 'req-1' },
    });
    const tracing = startLocalTracing({
      OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
      OTEL_SERVICE_NAME: 'attrs',
    });
    if (!tracing) throw new Error('no tracing');
    try {
      const run = tracing.observeScheduledRun('sweeper', 'run-1');
      const inside = run.within(() => ({
        span: trace.getActiveSpan()?.spanContext(),
        attributes: sqsMessageAttributes(() => given),
        full: sqsMessageAttributes(() =>
          Object.fromEntries(Array.from({ length: 10 }, (_, index) => [`a${index}`, 'x'])),
        ),
      }));
      run.ended({ failed: new Set() });
      const traceparent = inside.attributes?.[TRACEPARENT_ATTRIBUTE]?.StringValue;
      expect(traceparent).toBe(`00-${inside.span?.traceId}-${inside.span?.spanId}-01`);
      expect(spanContextOfTraceparent(traceparent)).toMatchObject({
        traceId: inside.span?.traceId,
        spanId: inside.span?.spanId,
        isRemote: true,
      });
      // SQS takes ten attributes: a message that has them all gets no trace context.
      expect(Object.keys(inside.full ?? {})).toHaveLength(10);
      expect(inside.full?.[TRACEPARENT_ATTRIBUTE]).toBeUndefined();
      // Outside any span, nothing is added.
      expect(sqsMessageAttributes(() => given)?.[TRACEPARENT_ATTRIBUTE]).toBeUndefined();
    } finally {
      await tracing.shutdown();
    }
    expect(spanContextOfTraceparent('00-abc-def-01')).toBeUndefined();
    expect(spanContextOfTraceparent(`00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`)).toBeUndefined();
    expect(spanContextOfTraceparent(undefined)).toBeUndefined();
  });

  it('marks a batch whose consumer threw as an error, and links a batch of many traces to each sender', async () => {
    const service = 'poller';
    const tracing = startLocalTracing({
      OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
      OTEL_SERVICE_NAME: service,
    });
    if (!tracing) throw new Error('no tracing');
    // Messages come back 1 s after a failed invocation.
    const queue = await createTestQueue('otel', { ...heartbeatsQueue, visibilityTimeoutSeconds: 1 });
    try {
      // Two senders, each its own trace (a scheduled run), each sending one message.
      const send = async (requestId: string) => {
        const run = tracing.observeScheduledRun('sender', requestId);
        const sender = await run.within(async () => {
          await queue.sqs.send(
            new SendMessageCommand({
              QueueUrl: queue.url,
              MessageBody: JSON.stringify({ agentId: 'ag_same' }),
              MessageAttributes: sqsMessageAttributes(() => ({ requestId })),
            }),
          );
          return trace.getActiveSpan()?.spanContext();
        });
        run.ended({ failed: new Set() });
        return `${sender?.traceId}/${sender?.spanId}`;
      };
      const senders = [await send('req-a'), await send('req-b')];
      let calls = 0;
      const poller = startSqsPoller({
        sqs: queue.sqs,
        queueUrl: queue.url,
        loadHandler: async () => async () => {
          calls += 1;
          if (calls === 1) throw new Error('the function crashed');
          return { batchItemFailures: [] };
        },
        batchSize: 10,
        maxBatchingWindowMs: 300,
        waitTimeSeconds: 1,
        onError: () => undefined,
        observe: (records) => tracing.observeQueueBatch({ id: 'test', name: 'test-queue' }, records),
      });
      const deadline = Date.now() + 30_000;
      while (calls < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      await poller.stop();
      await tracing.shutdown();
      const batches = spans.filter((span) => span.service === service && span.name === 'process test');
      expect(batches.length).toBeGreaterThanOrEqual(2);
      const [crashed, handled] = batches;
      expect(crashed).toMatchObject({
        kind: CONSUMER,
        status: 2,
        parentSpanId: undefined,
        attributes: {
          'messaging.destination.name': 'test-queue',
          'messaging.batch.message_count': 2,
          'coord.messages.failed': 2,
          'coord.agent': 'ag_same',
        },
      });
      // Messages of two requests: no one request id, no parent, a link to each sender.
      expect(crashed?.attributes['coord.request_id']).toBeUndefined();
      expect(crashed?.attributes['messaging.message.id']).toBeUndefined();
      expect([...(crashed?.links ?? [])].sort()).toEqual([...senders].sort());
      expect(handled).toMatchObject({ status: 0, attributes: { 'coord.messages.failed': 0 } });
    } finally {
      await tracing.shutdown();
      await queue.cleanup();
    }
  });

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
