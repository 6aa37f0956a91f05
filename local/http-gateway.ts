/**
 * The local stand-in for API Gateway's HTTP API: matches a request against the route table,
 * builds the payload 2.0 event and a Lambda context, calls the route's handler module (the
 * same file Lambda runs), and writes its result back. What API Gateway and the `$default`
 * fallback route answer on AWS without a route's handler (unknown path, another method, OPTIONS,
 * a body above API Gateway's 10 MB limit) it answers through the same code (`#app/edge`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Server as NetServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { type EdgeAnswer, edgeAnswer, GATEWAY_BODY_LIMIT_BYTES, tooLargeAnswer } from '#app/edge';
import { type RoutePattern, routeMatcher } from '#app/route-matcher';
import {
  answerOf,
  type HttpAnswer,
  httpApiEvent,
  lambdaContext,
  newRequestId,
  type RawRequest,
} from './api-gateway-event';
import { withTimeout } from './with-timeout';

/** A Lambda handler for HTTP API events. */
export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2<unknown>>;

/** What the gateway needs of a route: where it is, and which module handles it. */
export interface GatewayRoute extends RoutePattern {
  readonly id: string;
  /** Handler module, relative to the project root; it exports `handler`. */
  readonly entry: string;
}

/** Options for {@link startHttpGateway}. */
export interface HttpGatewayOptions<R extends GatewayRoute> {
  readonly routes: readonly R[];
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** @default a free port chosen by the OS */
  readonly port?: number;
  /** Region named in Lambda ARNs. @default us-east-1 */
  readonly region?: string;
  /**
   * Bodies above this are refused before any handler runs, as API Gateway refuses them: 413
   * `payload_too_large` with this `limitBytes`, in the API's error shape (API Gateway's own answer
   * on AWS is `{"message":"Request Entity Too Large"}`). A route's own, smaller limit is the
   * handler's to answer (413 `payload_too_large` with its `limitBytes`). @default 10 MiB, API Gateway's limit
   */
  readonly maxBodyBytes?: number;
  /** Origins whose pages may call the API (`COORD_CORS_ORIGINS`). @default none: no CORS headers */
  readonly corsOrigins?: readonly string[];
  /** An invocation running longer is answered with 503, as API Gateway's integration timeout does. @default 29 s */
  readonly timeoutMs?: number;
  /** Invocations run at once; later requests wait in arrival order. @default GATEWAY_CONCURRENCY */
  readonly concurrency?: number;
  /** Resolves a route's handler. @default imports `route.entry` from the project root once */
  readonly loadHandler?: (route: R) => Promise<HttpHandler>;
  /**
   * Answers of the local runtime only (no route of the API, no Lambda), by `METHOD /path`, e.g.
   * `GET /metrics`. @default none
   */
  readonly localAnswers?: Readonly<Record<string, () => Promise<HttpAnswer>>>;
  /** Told about failures the client only sees as 500 or 503. @default writes to stderr */
  readonly onFailure?: (route: R, error: unknown) => void;
  /** Watches every request from arrival to answer (e.g. as a trace span, `./otel`). @default none */
  readonly observe?: (method: string, rawPath: string) => RequestObservation;
}

/** Connections the kernel may hold for the gateway before it accepts them (capped by `somaxconn`). */
export const GATEWAY_LISTEN_BACKLOG = 4096;

/**
 * Listening sockets the gateway opens on its port (`SO_REUSEPORT`; the kernel spreads new
 * connections over them), all handing their connections to the one HTTP server. Node's event loop
 * (libuv 1.51) accepts one connection per listening socket per loop turn, and a turn of a busy
 * process running the handlers lasts tens to hundreds of milliseconds: with one socket, 200 clients
 * connecting at once waited up to 20 s in the kernel's accept queue. Where `SO_REUSEPORT` is
 * missing (or Node ignores `reusePort`, before 22.12) the gateway listens on one socket.
 */
export const GATEWAY_LISTENERS = 64;

/**
 * Handler invocations the gateway runs at once (like a Lambda concurrency limit); more requests
 * wait their turn in arrival order, and the integration timeout counts from the start of their
 * invocation, as it did while connections waited in the kernel's accept queue. Without it, a
 * thousand requests arriving together on a 2-core machine share the process evenly and all finish
 * late: their claims reached the 29 s timeout instead of the first of them finishing in seconds.
 */
export const GATEWAY_CONCURRENCY = 256;

/** How long the gateway keeps an idle keep-alive connection open, in milliseconds. */
export const GATEWAY_KEEP_ALIVE_MS = 60_000;

/** One request as the gateway handles it; told what it matched and how it ended. */
export interface RequestObservation {
  /** The request matched `route` (before its handler runs). */
  routed(
    route: GatewayRoute,
    request: { readonly pathParameters: Record<string, string>; readonly raw: RawRequest },
  ): void;
  /** The answer went out completely (or the client went away) with this status and `x-request-id`. */
  answered(statusCode: number, requestId: string): void;
  /** No answer could be written. */
  failed(error: unknown): void;
  /** Runs the request's handling inside this observation (e.g. with its span active). @default runs it as is */
  within?<T>(work: () => T): T;
}

/** A listening gateway. */
export interface HttpGateway {
  readonly url: string;
  readonly port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

const MIB = 1024 * 1024;
// Past this many bytes a refused upload is not drained any further: the socket is dropped.
const DRAIN_LIMIT_BYTES = 32 * MIB;

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Imports a route's handler module the way Lambda loads it: once, on first use. */
export const importEntry = async (route: GatewayRoute): Promise<HttpHandler> => {
  const module = (await import(pathToFileURL(join(PROJECT_ROOT, route.entry)).href)) as { handler?: unknown };
  if (typeof module.handler !== 'function') throw new Error(`${route.entry} exports no handler function`);
  return module.handler as HttpHandler;
};

const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpAnswer => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  cookies: [],
  body: Buffer.from(JSON.stringify(body)),
});

/** An answer of the edge (`#app/edge`) as the gateway writes it. */
const fromEdge = (answer: EdgeAnswer): HttpAnswer => ({
  statusCode: answer.statusCode,
  headers: { ...answer.headers },
  cookies: [],
  body: Buffer.from(answer.body ?? ''),
});

/** An answer in the API's error shape, for requests the gateway itself refuses. */
const refusal = (statusCode: number, code: string, message: string, details: object = {}, headers = {}) =>
  json(statusCode, { error: { code, message, details } }, headers);

type BodyRead = { readonly kind: 'read'; readonly body: Buffer } | { readonly kind: 'too_large' };

const readBody = (request: IncomingMessage, limitBytes: number): Promise<BodyRead> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > DRAIN_LIMIT_BYTES) request.destroy();
      else if (size <= limitBytes) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve(size > limitBytes ? { kind: 'too_large' } : { kind: 'read', body: Buffer.concat(chunks) }),
    );
    request.on('error', reject);
  });

const splitUrl = (url: string): { rawPath: string; rawQueryString: string } => {
  const at = url.indexOf('?');
  return at === -1
    ? { rawPath: url, rawQueryString: '' }
    : { rawPath: url.slice(0, at), rawQueryString: url.slice(at + 1) };
};

const sourceIpOf = (request: IncomingMessage): string =>
  (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');

const write = (response: ServerResponse, answer: HttpAnswer, requestId: string, method: string): void => {
  const headers: Record<string, string | string[]> = { ...answer.headers, 'apigw-requestid': requestId };
  if (answer.cookies.length > 0) headers['set-cookie'] = [...answer.cookies];
  const { stream } = answer;
  if (stream) {
    // Each piece goes out as the function writes it (chunked); a stream that fails cuts the answer off.
    response.writeHead(answer.statusCode, headers);
    response.flushHeaders();
    stream.on('error', () => response.destroy());
    response.on('close', () => stream.destroy());
    if (method === 'HEAD') response.end();
    else stream.pipe(response);
    return;
  }
  const hasBody = method !== 'HEAD' && answer.statusCode !== 204 && answer.statusCode !== 304;
  if (hasBody) headers['content-length'] = String(answer.body.length);
  response.writeHead(answer.statusCode, headers);
  response.end(hasBody ? answer.body : undefined);
};

const reportToStderr = (route: GatewayRoute, error: unknown): void => {
  console.error(`[http-gateway] ${route.method} ${route.path} (${route.entry}) failed:`, error);
};

/** Starts the gateway; resolves once it listens. */
/**
 * At most `size` holders at once; `acquire` resolves in call order as holders release. A timed
 * out invocation releases its slot when it is answered, although its handler may still run.
 */
const fifoSlots = (size: number) => {
  let free = Math.max(1, size);
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };
  return {
    acquire: (): Promise<() => void> => {
      if (free > 0) {
        free -= 1;
        return Promise.resolve(release);
      }
      return new Promise((resolve) => waiting.push(() => resolve(release)));
    },
  };
};

export const startHttpGateway = async <R extends GatewayRoute>(
  options: HttpGatewayOptions<R>,
): Promise<HttpGateway> => {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'us-east-1';
  const maxBodyBytes = options.maxBodyBytes ?? GATEWAY_BODY_LIMIT_BYTES;
  const corsOrigins = options.corsOrigins ?? [];
  const timeoutMs = options.timeoutMs ?? 29_000;
  const slots = fifoSlots(options.concurrency ?? GATEWAY_CONCURRENCY);
  const load = options.loadHandler ?? importEntry;
  const onFailure = options.onFailure ?? reportToStderr;
  const match = routeMatcher(options.routes);
  const handlers = new Map<string, Promise<HttpHandler>>();

  const handlerOf = (route: R): Promise<HttpHandler> => {
    let handler = handlers.get(route.id);
    if (!handler) {
      handler = load(route);
      // A module that failed to load is tried again on the next request (e.g. after a fix).
      handler.catch(() => handlers.delete(route.id));
      handlers.set(route.id, handler);
    }
    return handler;
  };

  const invoke = async (
    route: R,
    raw: RawRequest,
    pathParameters: Record<string, string>,
    requestId: string,
  ) => {
    const event = httpApiEvent(raw, { routeKey: `${route.method} ${route.path}`, pathParameters }, requestId);
    const run = async () =>
      (await handlerOf(route))(event, {
        ...lambdaContext(`coord-local-${route.id}`, timeoutMs, region),
        // This gateway writes a streamed body as it comes (see HttpContext.streamsResponse).
        streamsResponse: true,
      } as Context);
    const release = await slots.acquire();
    try {
      const result = await withTimeout(run(), timeoutMs);
      if (result !== 'timed_out') return answerOf(result);
      onFailure(route, new Error(`no answer within ${timeoutMs} ms`));
      return refusal(503, 'unavailable', 'The service did not answer in time.', {}, { 'retry-after': '1' });
    } catch (error) {
      onFailure(route, error);
      return refusal(500, 'internal', 'Internal server error.');
    } finally {
      release();
    }
  };

  const answer = async (
    request: IncomingMessage,
    requestId: string,
    observation?: RequestObservation,
  ): Promise<HttpAnswer> => {
    const method = request.method ?? 'GET';
    const { rawPath, rawQueryString } = splitUrl(request.url ?? '/');
    const read = await readBody(request, maxBodyBytes);
    const local = options.localAnswers?.[`${method} ${rawPath}`];
    if (local) {
      return local().catch((error: unknown) => {
        console.error(`[http-gateway] ${method} ${rawPath} (local answer) failed:`, error);
        return refusal(500, 'internal', 'Internal server error.');
      });
    }
    // API Gateway refuses a body above its limit before routing (here in the API's error shape).
    if (read.kind === 'too_large') return fromEdge(tooLargeAnswer(maxBodyBytes));
    const resolution = match(method, rawPath);
    if (resolution.kind !== 'matched') {
      const origin = request.headers.origin;
      return fromEdge(edgeAnswer(resolution, { method, rawPath, requestId, origin, corsOrigins }));
    }
    const raw: RawRequest = {
      method,
      rawPath,
      rawQueryString,
      headers: request.headers,
      body: read.body,
      sourceIp: sourceIpOf(request),
      protocol: `HTTP/${request.httpVersion}`,
    };
    observation?.routed(resolution.route, { pathParameters: resolution.pathParameters, raw });
    return invoke(resolution.route, raw, resolution.pathParameters, requestId);
  };

  const server = createServer((request, response) => {
    const requestId = newRequestId();
    const method = request.method ?? 'GET';
    const observation = options.observe?.(method, splitUrl(request.url ?? '/').rawPath);
    const handling = () => answer(request, requestId, observation);
    (observation?.within ? observation.within(handling) : handling()).then(
      (result) => {
        if (observation) {
          const answeredId = result.headers['x-request-id'] ?? requestId;
          response.once('close', () => observation.answered(result.statusCode, answeredId));
        }
        write(response, result, requestId, method);
      },
      (error: unknown) => {
        observation?.failed(error);
        response.destroy();
      },
    );
  });

  // Node closes an idle keep-alive connection after 5 s by default; a client that picks such a
  // connection just then for its next request (a busy process, its timers late) sees the connection
  // reset. Idle connections are kept for a minute instead.
  server.keepAliveTimeout = GATEWAY_KEEP_ALIVE_MS;
  server.headersTimeout = GATEWAY_KEEP_ALIVE_MS + 1000;

  // Node's default backlog (511) overflows when a thousand clients connect at once to a busy
  // process, and a connection the kernel then drops reaches its client as a reset.
  const listen = (target: NetServer, port: number, reusePort: boolean) =>
    new Promise<void>((resolve, reject) => {
      target.once('error', reject);
      target.listen({ port, host, backlog: GATEWAY_LISTEN_BACKLOG, reusePort }, () => {
        target.off('error', reject);
        resolve();
      });
    });
  const closed = (target: NetServer) => new Promise<void>((resolve) => target.close(() => resolve()));
  const requestedPort = options.port ?? 0;
  // Sockets sharing a port with SO_REUSEPORT share it with any other process of the same user that
  // asks for it too: a port in use is refused as before, by a plain socket, before any is shared.
  if (requestedPort !== 0) {
    const probe = createNetServer();
    await listen(probe, requestedPort, false);
    await closed(probe);
  }
  try {
    await listen(server, requestedPort, true);
  } catch (error) {
    // No SO_REUSEPORT on this platform: one listening socket.
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw error;
    await listen(server, requestedPort, false);
  }
  const { port } = server.address() as AddressInfo;
  const extraListeners: NetServer[] = [];
  for (let i = 1; i < GATEWAY_LISTENERS; i += 1) {
    const listener = createNetServer((socket) => server.emit('connection', socket));
    try {
      await listen(listener, port, true);
    } catch {
      // The port is not shared (no SO_REUSEPORT, or a Node that ignores `reusePort`): one socket.
      break;
    }
    extraListeners.push(listener);
  }
  return {
    url: `http://${host}:${port}`,
    port,
    close: async () => {
      await Promise.all([
        ...extraListeners.map(closed),
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
      ]);
    },
  };
};
