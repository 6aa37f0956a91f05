/**
 * A route of the HTTP API served from a Lambda function URL with response streaming (`InvokeMode:
 * RESPONSE_STREAM`). API Gateway HTTP APIs buffer a whole answer; a function URL with streaming
 * passes each write on at once. Its event is the same payload 2.0 event, so the request runs
 * through the route's own handler (bearer token, body, schema, use case, error answers) with
 * `streamsResponse` set, and a streamed body (server-sent events) is piped to the client as it
 * is produced.
 */
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Context } from 'aws-lambda';
import { DomainError } from '#core/errors';
import { errorAnswer } from '../shared/errors';
import type { HttpContext, HttpEvent, HttpResult } from '../shared/request';
import { requestIdOf } from '../shared/request';
import type { RouteDefinition } from '../shared/routes';

/** The status and headers a streamed answer starts with. */
export interface StreamMetadata {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Gives the response stream its status and headers before the body
 * (`awslambda.HttpResponseStream.from` on Lambda); returns the stream to write the body to.
 */
export type WithMetadata = (responseStream: Writable, metadata: StreamMetadata) => Writable;

/** A handler as `awslambda.streamifyResponse` calls it. */
export type StreamingHandler = (
  event: HttpEvent,
  responseStream: Writable,
  context: Context,
) => Promise<void>;

/** A route's buffered handler (`functions/http/<route>.ts`). */
export type RouteHandler = (event: HttpEvent, context: HttpContext) => Promise<HttpResult>;

const headersOf = (result: HttpResult): Record<string, string> =>
  Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]));

/** 405 for a method the route does not take: a function URL accepts every method. */
const wrongMethod = (event: HttpEvent, route: RouteDefinition): HttpResult => {
  const answer = errorAnswer(
    new DomainError(
      'method_not_allowed',
      `${event.requestContext.http.method} is not allowed here; use ${route.method}.`,
      { allow: [route.method] },
    ),
  );
  return {
    statusCode: answer.status,
    headers: {
      ...answer.headers,
      'content-type': 'application/json',
      allow: route.method,
      'x-request-id': requestIdOf(event),
    },
    body: JSON.stringify(answer.body),
  };
};

/**
 * The streaming handler of `route`: runs `handle` (the route's handler) and writes its answer to
 * the response stream, a streamed body piece by piece as it comes.
 */
export const createStreamingHandler =
  (route: RouteDefinition, handle: RouteHandler, withMetadata: WithMetadata): StreamingHandler =>
  async (event, responseStream, context) => {
    const result =
      event.requestContext.http.method === route.method
        ? await handle(event, Object.assign(context, { streamsResponse: true }))
        : wrongMethod(event, route);
    const out = withMetadata(responseStream, {
      statusCode: result.statusCode ?? 200,
      headers: headersOf(result),
    });
    // A streamed answer's body is the Readable the route produced (see `liveEventStream`).
    const body: unknown = result.body;
    const source = body instanceof Readable ? body : Readable.from(body === undefined ? [] : [String(body)]);
    await pipeline(source, out);
  };

/**
 * `awslambda`, the Lambda Node.js runtime's global, when it is the runtime's: elsewhere it is absent,
 * or a bare object that a bundled package (`@aws/lambda-invoke-store`) created on load.
 */
const runtimeGlobal = (globalThis as { awslambda?: Partial<typeof awslambda> }).awslambda;
const lambdaRuntime = runtimeGlobal?.streamifyResponse ? (runtimeGlobal as typeof awslambda) : undefined;

/**
 * The Lambda handler of a function URL serving `route` with streaming: `awslambda.streamifyResponse`
 * around {@link createStreamingHandler}. Outside Lambda (no `awslambda`), the handler itself, with
 * the status and headers written as the runtime would (a JSON prelude and eight zero bytes).
 */
export const streamingRoute = (route: RouteDefinition, handle: RouteHandler): StreamingHandler => {
  if (!lambdaRuntime) return createStreamingHandler(route, handle, preludeWriter);
  const { HttpResponseStream, streamifyResponse } = lambdaRuntime;
  return streamifyResponse(
    createStreamingHandler(route, handle, (stream, metadata) =>
      HttpResponseStream.from(stream, { ...metadata }),
    ),
  ) as StreamingHandler;
};

/** What `HttpResponseStream.from` writes ahead of the body: the metadata as JSON, then 8 zero bytes. */
export const preludeWriter: WithMetadata = (stream, metadata) => {
  stream.write(JSON.stringify(metadata));
  stream.write(new Uint8Array(8));
  return stream;
};
