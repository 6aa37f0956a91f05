/**
 * The one middy chain every WebSocket handler uses. It starts like the HTTP chain (trace, log
 * context, metrics, so they cover every later step), names the route on every log line, and maps
 * errors once: a `DomainError` answers with its status (401 at `$connect` refuses the upgrade),
 * anything else is logged with its stack and answered 500 without its text.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { DomainError } from '#core/errors';
import { STATUS } from './errors';
import { logger, metrics, observeMetrics, TRACE_OPTIONS, tracer } from './observability';

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
}

/** A WebSocket handler's work: what it does with one event. */
export type WsHandle = (event: WsEvent) => Promise<void>;

/** The management endpoint of the API that sent `event` (`https://<domain>/<stage>`). */
export const callbackUrlOf = (event: WsEvent): string =>
  `https://${event.requestContext.domainName}/${event.requestContext.stage}`;

const answerOf = (error: unknown): WsResult => {
  if (error instanceof DomainError && STATUS[error.code] < 500) {
    return {
      statusCode: STATUS[error.code],
      body: JSON.stringify({ error: { code: error.code, message: error.message } }),
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
export const wsRoute = (id: string, handle: WsHandle) =>
  middy<WsEvent, WsResult, Error, Context>()
    .use(captureLambdaHandler(tracer, TRACE_OPTIONS))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(observeMetrics())
    .use({
      before: (request) => {
        logger.appendKeys({
          route: id,
          routeKey: request.event.requestContext.routeKey,
          connectionId: request.event.requestContext.connectionId,
          correlation_id: request.event.requestContext.requestId,
        });
        metrics.addDimension('route', id);
        metrics.addMetric('wsInvocations', MetricUnit.Count, 1);
      },
    })
    .use({
      // Attached last, so it answers first: every error is mapped here, once.
      onError: (request) => {
        request.response = answerOf(request.error);
      },
    })
    .handler(async (event) => {
      await handle(event);
      return { statusCode: 200 };
    });
