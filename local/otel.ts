/**
 * OpenTelemetry export of the local stack: when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, every request the HTTP gateway handles becomes a
 * span sent over OTLP/HTTP (JSON) to `<endpoint>/v1/traces`, and so does every WebSocket route
 * invocation, every batch a queue consumer or stream consumer is handed, and every run of a
 * scheduled function. Unset, nothing is created and the gateway, pollers and timers run without
 * any observer. The exporter reads the standard variables itself
 * (`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_EXPORTER_OTLP_TIMEOUT`, ...); the service is named by
 * `OTEL_SERVICE_NAME` (default `coord-local`).
 *
 * Handlers run inside their span (an AsyncLocalStorage context manager is registered while
 * export runs), so a queue message they send carries the span's W3C `traceparent` as a message
 * attribute (`src/adapters/sqs/queue-publisher.ts`), and the consumer's span continues that
 * trace: the child of the sending span when every message of the batch comes from one trace,
 * and linked to each message's sending span either way (messaging semantic conventions).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Context,
  type ContextManager,
  context,
  type Link,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVICE_NAME,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { DynamoDBRecord, SQSRecord } from 'aws-lambda';
import { TRACEPARENT_ATTRIBUTE } from '#adapters/sqs/queue-publisher';
import { MESSAGE_ORIGIN_ATTRIBUTES, requestFacts } from '#functions/shared/request-facts';
import type { RequestObservation } from './http-gateway';
import type { WsInvocation, WsObservation } from './ws-gateway';

/** The service name spans carry unless `OTEL_SERVICE_NAME` names another. */
export const DEFAULT_SERVICE_NAME = 'coord-local';

/** Span attributes of this service beyond the semantic conventions. */
export const COORD_ATTRIBUTES = {
  requestId: 'coord.request_id',
  agent: 'coord.agent',
  work: 'coord.work',
  team: 'coord.team',
  wsRouteKey: 'coord.ws.route_key',
  wsConnectionId: 'coord.ws.connection_id',
  wsStatusCode: 'coord.ws.status_code',
  /** Messages of a queue batch its consumer reported failed (`batchItemFailures`). */
  failedMessages: 'coord.messages.failed',
  /** The stream consumer a batch was handed to (`broadcaster`, `metricsRollup`). */
  streamConsumer: 'coord.stream.consumer',
  /** Which attempt at a stream batch this is (1 first, more after a failed record). */
  attempt: 'coord.attempt',
} as const;

/**
 * Messaging attributes of the OpenTelemetry semantic conventions (still "incubating" there, so
 * spelled out here rather than imported from the incubating entry point).
 */
export const MESSAGING_ATTRIBUTES = {
  system: 'messaging.system',
  destinationName: 'messaging.destination.name',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  batchMessageCount: 'messaging.batch.message_count',
  messageId: 'messaging.message.id',
} as const;

/** How a local invocation ended: the ids of the records it failed, or the error it threw. */
export type InvocationOutcome =
  | { readonly failed: ReadonlySet<string> }
  | { readonly error: unknown; readonly failed?: ReadonlySet<string> };

/** One invocation being watched: its handler runs inside `within`, then `ended` says how it went. */
export interface InvocationObservation {
  /** Runs `work` with the invocation's span as the active one. */
  within<T>(work: () => T): T;
  ended(outcome: InvocationOutcome): void;
}

/** The queue a consumer reads, as a span names it. */
export interface ObservedQueue {
  /** The queue's id (`heartbeats`). */
  readonly id: string;
  /** Its physical name (`coord-local-heartbeats`): the messaging destination. */
  readonly name: string;
}

/** A running trace export. */
export interface LocalTracing {
  /** Where spans go (the exporter's URL). */
  readonly url: string;
  /** Starts the span of one HTTP request (the gateway's `observe` hook). */
  observeHttp(method: string, rawPath: string): RequestObservation;
  /** Starts the span of one WebSocket route invocation (the WebSocket gateway's `observe` hook). */
  observeWs(invocation: WsInvocation): WsObservation;
  /** Starts the span of one batch the local SQS event source hands a queue consumer. */
  observeQueueBatch(queue: ObservedQueue, records: readonly SQSRecord[]): InvocationObservation;
  /** Starts the span of one batch (one attempt) handed to a DynamoDB stream consumer. */
  observeStreamBatch(
    consumer: { readonly id: string; readonly table: string },
    records: readonly DynamoDBRecord[],
    attempt: number,
  ): InvocationObservation;
  /** Starts the span of one run of a scheduled function; `requestId` is the run's `awsRequestId`. */
  observeScheduledRun(functionId: string, requestId: string): InvocationObservation;
  /** Sends the spans still buffered and stops exporting. */
  shutdown(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Where the OTLP/HTTP exporter sends traces under `env`, or undefined when export is off. */
export const tracesUrlOf = (env: Env): string | undefined => {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!base) return undefined;
  return `${base.replace(/\/+$/, '')}/v1/traces`;
};

const parsedBody = (body: Buffer): unknown => {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
};

const httpObservation = (tracer: Tracer, method: string, rawPath: string): RequestObservation => {
  const span: Span = tracer.startSpan(
    `${method} ${rawPath}`,
    { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_URL_PATH]: rawPath } },
    ROOT_CONTEXT,
  );
  let ended = false;
  const end = () => {
    if (ended) return false;
    ended = true;
    return true;
  };
  return {
    within: withinSpan(span),
    routed: (route, { pathParameters, raw }) => {
      span.updateName(route.id);
      span.setAttribute(ATTR_HTTP_ROUTE, route.path);
      const facts = requestFacts(route.path, {
        params: pathParameters,
        body: parsedBody(raw.body),
        query: Object.fromEntries(new URLSearchParams(raw.rawQueryString)),
      });
      for (const [key, value] of Object.entries(facts)) {
        span.setAttribute(COORD_ATTRIBUTES[key as keyof typeof facts], value);
      }
    },
    answered: (statusCode, requestId) => {
      if (!end()) return;
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
      span.setAttribute(COORD_ATTRIBUTES.requestId, requestId);
      // Server spans mark 5xx as errors; a 4xx is the client's mistake (OTel HTTP conventions).
      if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${statusCode}` });
      span.end();
    },
    failed: (error) => {
      if (!end()) return;
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'no answer written' });
      span.end();
    },
  };
};

const wsObservation = (tracer: Tracer, invocation: WsInvocation): WsObservation => {
  const span = tracer.startSpan(
    invocation.routeId,
    {
      kind: SpanKind.SERVER,
      attributes: {
        [COORD_ATTRIBUTES.wsRouteKey]: invocation.routeKey,
        [COORD_ATTRIBUTES.wsConnectionId]: invocation.connectionId,
        [COORD_ATTRIBUTES.requestId]: invocation.requestId,
      },
    },
    ROOT_CONTEXT,
  );
  const ended = (statusCode: number): void => {
    span.setAttribute(COORD_ATTRIBUTES.wsStatusCode, statusCode);
    if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `status ${statusCode}` });
    span.end();
  };
  return Object.assign(ended, { within: withinSpan(span) });
};

/**
 * The context manager of the OpenTelemetry API on AsyncLocalStorage: the active span follows
 * each invocation through its awaits (what `@opentelemetry/context-async-hooks` does, in the few
 * lines the local runtime needs).
 */
class LocalContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    active: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run(active, () => fn.call(thisArg, ...args));
  }
  bind<T>(active: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const manager = this;
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(active, () => (target as (...a: unknown[]) => unknown).apply(this, args));
    } as T;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.storage.disable();
    return this;
  }
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The sending span a W3C `traceparent` names, or undefined when there is none or it is malformed. */
export const spanContextOfTraceparent = (traceparent: string | undefined): SpanContext | undefined => {
  const match = traceparent ? TRACEPARENT.exec(traceparent.trim()) : null;
  if (!match) return undefined;
  const [, traceId = '', spanId = '', flags = '00'] = match;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true };
};

/** The one value every entry has, or undefined when they differ or none has one. */
const shared = (values: readonly (string | undefined)[]): string | undefined => {
  const distinct = new Set(values);
  const [only] = distinct;
  return distinct.size === 1 ? only : undefined;
};

/** A message body's top-level string fields (none when it is not a JSON object). */
const bodyFields = (record: SQSRecord): Readonly<Record<string, unknown>> => {
  try {
    const body: unknown = JSON.parse(record.body);
    return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

const textOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/**
 * The coord attributes of a queue batch: the sending request's id and the agent, work item and
 * team its messages name, each where every message of the batch agrees on it.
 */
const queueFacts = (records: readonly SQSRecord[]): Record<string, string> => {
  const bodies = records.map(bodyFields);
  const facts = {
    [COORD_ATTRIBUTES.requestId]: shared(
      records.map((record) => record.messageAttributes[MESSAGE_ORIGIN_ATTRIBUTES.requestId]?.stringValue),
    ),
    [COORD_ATTRIBUTES.agent]: shared(bodies.map((body) => textOf(body.agentId))),
    [COORD_ATTRIBUTES.work]: shared(bodies.map((body) => textOf(body.workId))),
    [COORD_ATTRIBUTES.team]: shared(bodies.map((body) => textOf(body.team))),
  };
  return Object.fromEntries(
    Object.entries(facts).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
};

/** Runs `work` with `span` active. */
const withinSpan =
  (span: Span) =>
  <T>(work: () => T): T =>
    context.with(trace.setSpan(context.active(), span), work);

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Ends `span` by `outcome`: an error status when the invocation threw or failed any record. */
const endInvocation = (span: Span, outcome: InvocationOutcome, total: number): void => {
  const failed = outcome.failed?.size ?? 0;
  if ('error' in outcome) {
    span.recordException(outcome.error instanceof Error ? outcome.error : errorText(outcome.error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorText(outcome.error) });
  } else if (failed > 0) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: `${failed} of ${total} record(s) failed` });
  }
  if (total > 0) span.setAttribute(COORD_ATTRIBUTES.failedMessages, 'error' in outcome ? total : failed);
  span.end();
};

/** The messaging attributes of a batch a consumer processes from `system`'s `destination`. */
const processAttributes = (system: string, destination: string, count: number) => ({
  [MESSAGING_ATTRIBUTES.system]: system,
  [MESSAGING_ATTRIBUTES.destinationName]: destination,
  [MESSAGING_ATTRIBUTES.operationType]: 'process',
  [MESSAGING_ATTRIBUTES.operationName]: 'process',
  [MESSAGING_ATTRIBUTES.batchMessageCount]: count,
});

/**
 * The span of one queue batch: CONSUMER, `process <queue>`, a child of the sending span when every
 * message comes from one trace (a single request's messages), and linked to every message's
 * sending span.
 */
const queueBatchObservation = (
  tracer: Tracer,
  queue: ObservedQueue,
  records: readonly SQSRecord[],
): InvocationObservation => {
  const senders = records
    .map((record) => spanContextOfTraceparent(record.messageAttributes[TRACEPARENT_ATTRIBUTE]?.stringValue))
    .filter((sender): sender is SpanContext => sender !== undefined);
  const links: Link[] = [...new Map(senders.map((sender) => [sender.spanId, sender])).values()].map(
    (sender) => ({ context: sender }),
  );
  const [first] = senders;
  const oneTrace =
    first && senders.length === records.length && shared(senders.map((sender) => sender.traceId));
  const parent = oneTrace ? trace.setSpanContext(ROOT_CONTEXT, first) : ROOT_CONTEXT;
  const [only] = records;
  const span = tracer.startSpan(
    `process ${queue.id}`,
    {
      kind: SpanKind.CONSUMER,
      links,
      attributes: {
        ...processAttributes('aws_sqs', queue.name, records.length),
        ...(records.length === 1 && only ? { [MESSAGING_ATTRIBUTES.messageId]: only.messageId } : {}),
        ...queueFacts(records),
      },
    },
    parent,
  );
  return { within: withinSpan(span), ended: (outcome) => endInvocation(span, outcome, records.length) };
};

/** The span of one stream batch attempt: CONSUMER, `process <consumer>`, a trace of its own. */
const streamBatchObservation = (
  tracer: Tracer,
  consumer: { readonly id: string; readonly table: string },
  records: readonly DynamoDBRecord[],
  attempt: number,
): InvocationObservation => {
  const span = tracer.startSpan(
    `process ${consumer.id}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...processAttributes('aws_dynamodb_streams', consumer.table, records.length),
        [COORD_ATTRIBUTES.streamConsumer]: consumer.id,
        [COORD_ATTRIBUTES.attempt]: attempt,
      },
    },
    ROOT_CONTEXT,
  );
  return { within: withinSpan(span), ended: (outcome) => endInvocation(span, outcome, records.length) };
};

/** The span of one scheduled run: INTERNAL, named by the function, a trace of its own. */
const scheduledRunObservation = (
  tracer: Tracer,
  functionId: string,
  requestId: string,
): InvocationObservation => {
  const span = tracer.startSpan(
    functionId,
    { kind: SpanKind.INTERNAL, attributes: { [COORD_ATTRIBUTES.requestId]: requestId } },
    ROOT_CONTEXT,
  );
  return { within: withinSpan(span), ended: (outcome) => endInvocation(span, outcome, 0) };
};

/**
 * Starts exporting when `env` names an OTLP endpoint; returns undefined (and creates nothing)
 * otherwise.
 */
export const startLocalTracing = (env: Env = process.env): LocalTracing | undefined => {
  const url = tracesUrlOf(env);
  if (!url) return undefined;
  const exporter = new OTLPTraceExporter({ url });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME?.trim() || DEFAULT_SERVICE_NAME,
    }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('coord-local-gateway');
  // Handlers run inside their spans, so what they send (queue messages) carries the trace on.
  const contextManager = new LocalContextManager();
  context.setGlobalContextManager(contextManager);
  return {
    url,
    observeHttp: (method, rawPath) => httpObservation(tracer, method, rawPath),
    observeWs: (invocation) => wsObservation(tracer, invocation),
    observeQueueBatch: (queue, records) => queueBatchObservation(tracer, queue, records),
    observeStreamBatch: (consumer, records, attempt) =>
      streamBatchObservation(tracer, consumer, records, attempt),
    observeScheduledRun: (functionId, requestId) => scheduledRunObservation(tracer, functionId, requestId),
    shutdown: async () => {
      await provider.shutdown();
      context.disable();
    },
  };
};
