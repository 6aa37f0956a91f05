/**
 * The one middy chain every HTTP route uses. Order is the contract: trace, log context and
 * metrics first, so they cover every later step; then, on a stage behind CloudFront's per-IP
 * limit, whether the request came through CloudFront (403); then who is calling (401/403 before
 * the body is read); then the body (413/415, malformed JSON); then its shape (400); then idempotency;
 * and the error mapper last, so it answers first and every error is mapped once.
 */

import { PassThrough, type Readable } from 'node:stream';
import { text as collected } from 'node:stream/consumers';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { Static, TSchema } from '@sinclair/typebox';
import { authenticate, authorize } from '#app/auth';
import type { RequestContext } from '#app/context';
import { corsHeaders } from '#app/edge';
import { pathTemplates } from '#app/route-matcher';
import { DomainError, UnavailableError, ValidationError } from '#core/errors';
import type { Principal } from '#core/roles';
import { ROUTE_PATHS } from '#functions/shared/route-paths';
import { errorAnswer } from './errors';
import { idempotency } from './idempotency';
import {
  annotateTrace,
  dimensionedMetrics,
  logger,
  metrics,
  observeMetrics,
  requestFacts,
  TRACE_OPTIONS,
  tracer,
  withMessageOrigin,
} from './observability';
import { originVerify } from './origin-verify';
import { rateLimit } from './rate-limit';
import {
  type ChainState,
  type HttpContext,
  type HttpEvent,
  type HttpRequest,
  type HttpResult,
  type HttpRuntime,
  headerOf,
  requestIdOf,
  stateOf,
} from './request';
import type { RouteDefinition } from './routes';
import { verifySignature } from './signatures';
import { signedCursors } from './signed-cursors';
import { bodyCheck, stringsCheck } from './validation';
import { httpRuntime } from './wiring';

type Part = 'body' | 'query' | 'params';
type StaticOf<R, K extends Part> = R extends { readonly [P in K]: infer S extends TSchema }
  ? Static<S>
  : undefined;
type Authenticated<R, T> = R extends { readonly access: 'public' } ? undefined : T;

/** A validated request, as a route's handler receives it. */
export interface RouteInput<R extends RouteDefinition> {
  readonly body: StaticOf<R, 'body'>;
  readonly query: StaticOf<R, 'query'>;
  readonly params: StaticOf<R, 'params'>;
  readonly principal: Authenticated<R, Principal>;
  /** What use cases receive as `ctx`. */
  readonly ctx: Authenticated<R, RequestContext>;
  readonly requestId: string;
  /** A request header, whatever the case of its name. */
  readonly header: (name: string) => string | undefined;
}

/** What a route's handler answers: a status, a JSON body (none for 204) and extra headers. */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  /** A body sent as it is instead of JSON (its `content-type` goes in `headers`). */
  readonly text?: string;
  /**
   * A body written while it is produced (see {@link liveEventStream}): passed on as it comes
   * where the runtime streams (`HttpContext.streamsResponse`), collected into one body elsewhere.
   */
  readonly stream?: Readable;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A route's handler: call one use case, shape its result. */
export type Handle<R extends RouteDefinition> = (input: RouteInput<R>) => Promise<Reply>;

export type { HttpContext, HttpEvent, HttpResult, HttpRuntime } from './request';

/** Largest body a route accepts unless it says otherwise. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** The `allow` header of a 405 answer, from its `details.allow`. */
const allowOf = (body: string | undefined): string | undefined => {
  try {
    const allow = (JSON.parse(body ?? '{}') as { error?: { details?: { allow?: unknown } } }).error?.details
      ?.allow;
    return Array.isArray(allow) ? allow.join(', ') : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Every answer: `x-request-id`, a JSON content type unless the handler chose another (server-sent
 * events), and a per-route count of answers by class.
 */
const httpResponse = (
  route: RouteDefinition,
  runtime: HttpRuntime,
  routeMetrics: Metrics,
): MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> => {
  const finish = (request: HttpRequest): void => {
    const { body, ...response } = request.response ?? { statusCode: 500 };
    const statusCode = response.statusCode ?? 200;
    const allow = statusCode === 405 ? allowOf(body) : undefined;
    request.response = {
      ...response,
      headers: {
        'content-type': 'application/json',
        ...response.headers,
        'x-request-id': requestIdOf(request.event),
        ...(allow === undefined ? {} : { allow }),
        ...corsHeaders(runtime.corsOrigins?.() ?? [], headerOf(request.event, 'origin')),
      },
      // HEAD is answered as GET is, without the body.
      ...(body === undefined || request.event.requestContext.http.method === 'HEAD' ? {} : { body }),
    };
    routeMetrics.addMetric(`http${Math.floor(statusCode / 100)}xx`, MetricUnit.Count, 1);
  };
  return {
    before: (request) => {
      logger.appendKeys({ route: route.id, correlation_id: requestIdOf(request.event) });
    },
    after: finish,
    onError: finish,
  };
};

/** 401 without a valid token, 403 when its role may not use the route; before the body is read. */
const templateOf = pathTemplates(ROUTE_PATHS);

/**
 * A request that reached a route through a less specific template (`GET /v1/work/claim-next`
 * reaches `GET /v1/work/{id}`, as API Gateway routes it) is answered for the path it named:
 * 405 with the methods that path takes, not a confusing 404 about an item.
 * @throws DomainError `method_not_allowed`
 */
const knownMethod = (route: RouteDefinition): MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> => ({
  before: (request) => {
    const { rawPath } = request.event;
    const found = rawPath === undefined ? undefined : templateOf(rawPath);
    if (found === undefined || found.path === route.path) return;
    const allow = found.methods.includes('GET') ? [...found.methods, 'HEAD'].sort() : [...found.methods];
    throw new DomainError(
      'method_not_allowed',
      `${request.event.requestContext.http.method} is not allowed on ${rawPath}; use ${allow.join(' or ')}.`,
      { allow },
    );
  },
});

const authentication = (
  route: RouteDefinition,
  runtime: HttpRuntime,
): MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> => ({
  before: async (request) => {
    if (route.access === 'public') {
      if (route.signedBy !== undefined) await verifySignature(route.signedBy, request.event, runtime);
      return;
    }
    const principal = await authenticate(
      runtime.ports(),
      headerOf(request.event, 'authorization'),
      await runtime.authSecrets(),
    );
    authorize(route.access, principal);
    stateOf(request).principal = principal;
  },
});

const bodyBytes = (event: HttpEvent): number =>
  event.body === undefined ? 0 : Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8');

/**
 * Reads a JSON body with `@middy/http-json-body-parser` (415 for another content type, its
 * 422 for malformed JSON, which the error mapper answers as 400), after refusing bodies over
 * the route's limit with 413. An absent or empty body without a content type counts as `{}`,
 * so routes whose fields are all optional need no body.
 */
const jsonBody = (route: RouteDefinition): MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> => {
  const parser = httpJsonBodyParser();
  const limit = route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return {
    before: async (request) => {
      if (!route.body) return;
      const { event } = request;
      const size = bodyBytes(event);
      if (size > limit) {
        throw new DomainError('payload_too_large', `The request body is larger than ${limit} bytes.`, {
          limitBytes: limit,
        });
      }
      if (size === 0 && headerOf(event, 'content-type') === undefined) {
        stateOf(request).body = {};
        return;
      }
      if (size === 0) event.body = '{}';
      await parser.before?.(request as never);
      stateOf(request).body = event.body;
    },
  };
};

/**
 * API Gateway joins a repeated query parameter's values with commas, which then fail their
 * schema with a misleading message; each parameter is taken once, so say that instead.
 * @throws ValidationError naming each parameter given more than once.
 */
const assertGivenOnce = (rawQueryString: string | undefined): void => {
  const names = [...new URLSearchParams(rawQueryString ?? '').keys()];
  const repeated = [...new Set(names.filter((name, index) => names.indexOf(name) !== index))];
  if (repeated.length > 0) {
    throw new ValidationError(
      repeated.map((name) => ({ path: `/${name}`, message: 'is given more than once' })),
    );
  }
};

/** Checks body, query and path parameters against the route's schemas (compiled at module load). */
const validation = (route: RouteDefinition): MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> => {
  const checkBody = route.body && bodyCheck(route.body);
  const checkQuery = route.query && stringsCheck(route.query);
  const checkParams = route.params && stringsCheck(route.params);
  return {
    before: (request) => {
      const state = stateOf(request);
      const { event } = request;
      if (checkParams) state.params = checkParams({ ...event.pathParameters });
      if (checkQuery) {
        assertGivenOnce(event.rawQueryString);
        state.query = checkQuery({ ...event.queryStringParameters });
      }
      if (checkBody) state.body = checkBody(state.body);
    },
  };
};

/** One conflict (409: a lost race, a wrong state, a stale version), counted by its code. */
const countConflict = (code: string): void => {
  const single = metrics.singleMetric();
  single.addDimension('code', code);
  single.addMetric('conflicts', MetricUnit.Count, 1);
};

/** Maps any error to its answer; unknown ones are logged with their stack and counted. */
const errorResponse = (routeMetrics: Metrics): MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> => ({
  onError: (request) => {
    const { error } = request;
    const answer = errorAnswer(error);
    const requestId = requestIdOf(request.event);
    if (answer.unexpected) {
      logger.error('Unhandled error', { error, requestId });
      routeMetrics.addMetric('unhandledErrors', MetricUnit.Count, 1);
    } else if (error instanceof UnavailableError) {
      logger.warn('Dependency unavailable', { error, requestId });
    }
    if (answer.status === 409) countConflict(answer.body.error.code);
    // Set, not returned: returning would stop the later onError steps (idempotency, metrics).
    request.response = {
      statusCode: answer.status,
      headers: { ...answer.headers },
      body: JSON.stringify(answer.body),
    };
  },
});

const toResult = async (reply: Reply, context: HttpContext): Promise<HttpResult> => {
  const headers = { ...reply.headers };
  if (reply.stream) {
    // An answer kept for an Idempotency-Key replay must be whole: such requests get it collected.
    const streams = context.streamsResponse === true && context.coord?.idempotencyScope === undefined;
    // The runtime that streams reads the Readable itself; the result type only knows strings.
    const body = streams ? (reply.stream as unknown as string) : await collected(reply.stream);
    return { statusCode: reply.status, headers, body };
  }
  return {
    statusCode: reply.status,
    headers,
    ...(reply.text !== undefined
      ? { body: reply.text }
      : reply.body === undefined
        ? {}
        : { body: JSON.stringify(reply.body) }),
  };
};

const inputOf = <R extends RouteDefinition>(state: ChainState, event: HttpEvent): RouteInput<R> => {
  const requestId = requestIdOf(event);
  const principal = state.principal;
  return {
    body: state.body,
    query: state.query,
    params: state.params,
    principal,
    ctx: principal && { principal, requestId },
    requestId,
    header: (name: string) => headerOf(event, name),
  } as RouteInput<R>;
};

/** Builds route handlers on a runtime (the composition root in production, fakes in tests). */
export const createHttpRoute =
  (runtime: HttpRuntime) =>
  <R extends RouteDefinition>(route: R, handle: Handle<R>) => {
    // The route's own metrics object (`route` a default dimension), not the shared one: the local
    // runtime runs invocations of many routes side by side in one process, and one invocation's
    // `addDimension` on a shared object would relabel another's metrics.
    const routeMetrics = dimensionedMetrics('route', route.id);
    return middy<HttpEvent, HttpResult, Error, HttpContext>()
      .use(captureLambdaHandler(tracer, TRACE_OPTIONS))
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(observeMetrics(routeMetrics))
      .use(httpResponse(route, runtime, routeMetrics))
      .use(originVerify(runtime))
      .use(knownMethod(route))
      .use(authentication(route, runtime))
      .use(rateLimit(runtime))
      .use(signedCursors(route, runtime))
      .use(jsonBody(route))
      .use(validation(route))
      .use(idempotency(runtime))
      .use(errorResponse(routeMetrics))
      .handler(async (event: HttpEvent, context: HttpContext): Promise<HttpResult> => {
        const state = context.coord ?? {};
        annotateTrace(requestFacts(route.path, state));
        if (state.replay) return state.replay;
        // The request id goes on every queue message the handler sends.
        return withMessageOrigin({ requestId: requestIdOf(event) }, async () =>
          toResult(await handle(inputOf<R>(state, event)), context),
        );
      });
  };

/** A route handler on the production composition root: `export const handler = httpRoute(routes.x, ...)`. */
export const httpRoute = createHttpRoute(httpRuntime);

/** 200 with this body. */
export const ok = (body: unknown): Reply => ({ status: 200, body });
/** 201 with the created resource. */
export const created = (body: unknown): Reply => ({ status: 201, body });
/** 202: accepted for asynchronous processing. */
export const accepted = (body?: unknown): Reply => ({ status: 202, ...(body === undefined ? {} : { body }) });
/** Sends one server-sent event (with `id`, the event's id: a client resumes after it). */
export type SendEvent = (event: string, data: unknown, id?: string) => void;

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } as const;

/**
 * 200 as server-sent events sent while `produce` runs: each `send(event, data)` goes to the client
 * at once where the runtime streams (locally), and all together when `produce` ends on Lambda's
 * buffered integration. The reply is made once the first event is sent (or `produce` ends), so a
 * failure before any event (e.g. the store unavailable) still answers with its own status; a
 * failure after it cuts the stream off (logged).
 */
export const liveEventStream = async (produce: (send: SendEvent) => Promise<void>): Promise<Reply> => {
  const stream = new PassThrough();
  let started = false;
  let start: () => void = () => undefined;
  const firstEvent = new Promise<void>((resolve) => {
    start = resolve;
  });
  const send: SendEvent = (event, data, id) => {
    stream.write(
      `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`,
    );
    started = true;
    start();
  };
  const finished = produce(send).then(() => {
    stream.end();
  });
  finished.catch((error: unknown) => {
    if (!started) return;
    logger.error('Event stream failed after it started', { error });
    stream.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  await Promise.race([firstEvent, finished]);
  return { status: 200, stream, headers: SSE_HEADERS };
};
/** 204: nothing to answer. */
export const noContent = (): Reply => ({ status: 204 });
