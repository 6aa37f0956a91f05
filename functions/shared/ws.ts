/**
 * The one middy chain every WebSocket handler uses. It starts like the HTTP chain (trace, log
 * context, metrics, so they cover every later step), names the route on every log line, and maps
 * errors once: a `DomainError` answers with its status (401 at `$connect` refuses the upgrade),
 * anything else is logged with its stack and answered 500 without its text.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { reply } from '#app/use-cases/realtime/deps';
import { DomainError, RateLimitedError } from '#core/errors';
import type { Clock } from '#core/ports';
import type { RateLimiter } from '#core/rate-limit';
import type { ConnectionNotifier, ConnectionStore } from '#core/realtime/ports';
import type { Principal } from '#core/roles';
import { STATUS } from './errors';
import { dimensionedMetrics, logger, observeMetrics, TRACE_OPTIONS, tracer } from './observability';
import { admit } from './rate-limit';

/** The event API Gateway hands a WebSocket route's Lambda integration. */
export interface WsEvent {
  readonly requestContext: {
    readonly routeKey: string;
    readonly connectionId: string;
    readonly eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
    readonly requestId: string;
    readonly domainName: string;
    readonly stage: string;
    readonly connectedAt?: number;
    readonly disconnectStatusCode?: number;
    readonly disconnectReason?: string;
  };
  /** `$connect` only. */
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
  /** `$connect` only. */
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
}

/** What a WebSocket handler answers (at `$connect`, anything but 2xx refuses the upgrade). */
export interface WsResult {
  readonly statusCode: number;
  readonly body?: string;
  /** `Retry-After` of a `$connect` refused with 429. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a WebSocket handler's work is given besides its event. */
export interface WsRouteContext {
  /** The route's own metrics object (dimension `route`), flushed after the invocation. */
  readonly metrics: Metrics;
}

/** A WebSocket handler's work: what it does with one event. */
export type WsHandle = (event: WsEvent, route: WsRouteContext) => Promise<void>;

/** The management endpoint of the API that sent `event` (`https://<domain>/<stage>`). */
export const callbackUrlOf = (event: WsEvent): string =>
  `https://${event.requestContext.domainName}/${event.requestContext.stage}`;

const answerOf = (error: unknown, metrics: Metrics): WsResult => {
  if (error instanceof DomainError && STATUS[error.code] < 500) {
    return {
      statusCode: STATUS[error.code],
      body: JSON.stringify({ error: { code: error.code, message: error.message } }),
    };
  }
  if (error instanceof RateLimitedError) {
    return {
      statusCode: 429,
      body: JSON.stringify({ error: { code: error.code, message: error.message } }),
      headers: { 'retry-after': String(Math.max(1, Math.ceil(error.retryAfterSeconds))) },
    };
  }
  if (error instanceof DomainError && error.code === 'unavailable') {
    logger.warn('WebSocket route unavailable', { error });
    return {
      statusCode: 503,
      body: JSON.stringify({ error: { code: 'unavailable', message: error.message } }),
    };
  }
  logger.error('WebSocket route failed', { error });
  metrics.addMetric('wsErrors', MetricUnit.Count, 1);
  return {
    statusCode: 500,
    body: JSON.stringify({ error: { code: 'internal', message: 'Internal error.' } }),
  };
};

/** A WebSocket route's handler: `export const handler = wsRoute('wsConnect', async (event) => ...)`. */
export const wsRoute = (id: string, handle: WsHandle) => {
  // The route's own metrics object, not the shared one: the local runtime runs invocations of
  // several routes side by side in one process, and one invocation's `addDimension` on a shared
  // object would relabel another's metrics (Powertools: "Dimension route has already been added").
  const metrics = dimensionedMetrics('route', id);
  return middy<WsEvent, WsResult, Error, Context>()
    .use(captureLambdaHandler(tracer, TRACE_OPTIONS))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(observeMetrics(metrics))
    .use({
      before: (request) => {
        logger.appendKeys({
          route: id,
          routeKey: request.event.requestContext.routeKey,
          connectionId: request.event.requestContext.connectionId,
          correlation_id: request.event.requestContext.requestId,
        });
        metrics.addMetric('wsInvocations', MetricUnit.Count, 1);
      },
    })
    .use({
      // Attached last, so it answers first: every error is mapped here, once.
      onError: (request) => {
        request.response = answerOf(request.error, metrics);
      },
    })
    .handler(async (event) => {
      await handle(event, { metrics });
      return { statusCode: 200 };
    });
};

/** Principals of the connections this process has seen: a connection's principal never changes. */
const principals = new Map<string, Principal>();
/** Connections remembered at most; past it, the map starts over (a bound, not an eviction policy). */
const MAX_REMEMBERED_CONNECTIONS = 10_000;

const principalOf = async (
  connections: ConnectionStore,
  connectionId: string,
): Promise<Principal | undefined> => {
  const known = principals.get(connectionId);
  if (known) return known;
  const principal = (await connections.get(connectionId))?.principal;
  if (!principal) return undefined;
  if (principals.size >= MAX_REMEMBERED_CONNECTIONS) principals.clear();
  principals.set(connectionId, principal);
  return principal;
};

/**
 * Takes a client frame from the bucket of its connection's token (one read of the connection
 * the first time this process sees it). An empty bucket answers the frame with an `error` frame
 * `{code: "rate_limited", message, details: {retryAfterSeconds}}` and the frame is not handled.
 * @returns whether the frame may be handled
 */
export const admitFrame = async (
  deps: {
    readonly connections: ConnectionStore;
    readonly notifier: ConnectionNotifier;
    readonly clock: Clock;
  },
  limiter: RateLimiter,
  connectionId: string,
  metrics: Metrics,
): Promise<boolean> => {
  const principal = await principalOf(deps.connections, connectionId);
  // A connection that is gone is answered as the handler answers it.
  if (!principal) return true;
  const now = deps.clock.now();
  try {
    admit(limiter, principal, now.getTime());
    return true;
  } catch (error) {
    if (!(error instanceof RateLimitedError)) throw error;
    metrics.addMetric('wsRateLimited', MetricUnit.Count, 1);
    await deps.notifier.post(
      connectionId,
      reply(now, 'error', {
        code: error.code,
        message: error.message,
        details: { retryAfterSeconds: Math.max(1, Math.ceil(error.retryAfterSeconds)) },
      }),
    );
    return false;
  }
};
