/**
 * OpenTelemetry export of the local stack: when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, every request the HTTP gateway handles becomes a
 * span sent over OTLP/HTTP (JSON) to `<endpoint>/v1/traces`, and so does every WebSocket route
 * invocation. Unset, nothing is created and the
 * gateway runs without any observer. The exporter reads the standard variables itself
 * (`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_EXPORTER_OTLP_TIMEOUT`, ...); the service is named by
 * `OTEL_SERVICE_NAME` (default `coord-local`).
 */
import { type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
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
import { requestFacts } from '#functions/shared/observability';
import type { RequestObservation } from './http-gateway';
import type { WsInvocation } from './ws-gateway';

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
} as const;

/** A running trace export. */
export interface LocalTracing {
  /** Where spans go (the exporter's URL). */
  readonly url: string;
  /** Starts the span of one HTTP request (the gateway's `observe` hook). */
  observeHttp(method: string, rawPath: string): RequestObservation;
  /** Starts the span of one WebSocket route invocation (the WebSocket gateway's `observe` hook). */
  observeWs(invocation: WsInvocation): (statusCode: number) => void;
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
  const span: Span = tracer.startSpan(`${method} ${rawPath}`, {
    kind: SpanKind.SERVER,
    attributes: { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_URL_PATH]: rawPath },
  });
  let ended = false;
  const end = () => {
    if (ended) return false;
    ended = true;
    return true;
  };
  return {
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

const wsObservation = (tracer: Tracer, invocation: WsInvocation) => {
  const span = tracer.startSpan(invocation.routeId, {
    kind: SpanKind.SERVER,
    attributes: {
      [COORD_ATTRIBUTES.wsRouteKey]: invocation.routeKey,
      [COORD_ATTRIBUTES.wsConnectionId]: invocation.connectionId,
      [COORD_ATTRIBUTES.requestId]: invocation.requestId,
    },
  });
  return (statusCode: number): void => {
    span.setAttribute(COORD_ATTRIBUTES.wsStatusCode, statusCode);
    if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `status ${statusCode}` });
    span.end();
  };
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
  return {
    url,
    observeHttp: (method, rawPath) => httpObservation(tracer, method, rawPath),
    observeWs: (invocation) => wsObservation(tracer, invocation),
    shutdown: () => provider.shutdown(),
  };
};
