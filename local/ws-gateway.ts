/**
 * The local stand-in for API Gateway's WebSocket API. Upgrades, frames and closes become the
 * events API Gateway sends the WebSocket routes (`$connect`, a client action or `$default`,
 * `$disconnect`), handled by the same modules Lambda runs (`functions/shared/ws-routes.ts`). A
 * `$connect` answering anything but 2xx refuses the upgrade with that status. The same port
 * serves the management API (`POST`/`GET`/`DELETE /@connections/{id}`), so the real
 * `@aws-sdk/client-apigatewaymanagementapi` client posts to connections unchanged: its endpoint
 * is this server's URL. By default the server also serves that endpoint in process
 * (`#adapters/realtime/in-process-notifier`): the handlers running here write frames to its
 * sockets without the HTTP hop. `COORD_LOCAL_WS_POSTS=http` turns that off, so every post goes
 * through the management client and the `@connections` endpoint as on AWS.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Context } from 'aws-lambda';
import { type WebSocket, WebSocketServer } from 'ws';
import { createSocketNotifier, serveInProcess } from '#adapters/realtime/in-process-notifier';
import type { WsEvent, WsResult } from '#functions/shared/ws';
import { WS_ROUTES, type WsRouteDefinition } from '#functions/shared/ws-routes';
import { lambdaContext, newRequestId } from './api-gateway-event';
import { importEntry } from './http-gateway';
import { withTimeout } from './with-timeout';

/** A Lambda handler of WebSocket route events. */
export type WsHandler = (event: WsEvent, context: Context) => Promise<WsResult | undefined>;

/** Options for {@link startWsGateway}. */
export interface WsGatewayOptions {
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** @default a free port chosen by the OS */
  readonly port?: number;
  /** @default us-east-1 */
  readonly region?: string;
  /** @default 29 s (API Gateway's integration limit) */
  readonly timeoutMs?: number;
  /** @default WS_ROUTES */
  readonly routes?: readonly WsRouteDefinition[];
  /** @default writes to stderr */
  readonly onFailure?: (routeKey: string, error: unknown) => void;
  /**
   * Whether handlers in this process post to the sockets directly (else only over HTTP).
   * @default true unless `COORD_LOCAL_WS_POSTS=http`
   */
  readonly inProcessPosts?: boolean;
  /** Loads a route's handler. @default imports its entry once */
  readonly loadHandler?: (route: WsRouteDefinition) => Promise<WsHandler>;
  /**
   * Told of every route invocation as it starts; the returned callback gets its status code
   * (e.g. a trace span, `./otel`). @default none
   */
  readonly observe?: (invocation: WsInvocation) => WsObservation;
}

/**
 * Told how a watched invocation ended (its status code); `within`, when given, runs the handler
 * (e.g. with the invocation's span active).
 */
export type WsObservation = ((statusCode: number) => void) & { readonly within?: <T>(work: () => T) => T };

/** One invocation of a WebSocket route, as {@link WsGatewayOptions.observe} sees it. */
export interface WsInvocation {
  readonly routeId: string;
  readonly routeKey: string;
  readonly connectionId: string;
  readonly requestId: string;
}

/** A listening WebSocket gateway. */
export interface WsGateway {
  /** `ws://host:port`: where clients connect. */
  readonly url: string;
  /** `http://host:port`: the management API's endpoint (`COORD_WS_CALLBACK_URL`). */
  readonly callbackUrl: string;
  readonly port: number;
  /** Ids of the open connections. */
  connectionIds(): string[];
  close(): Promise<void>;
}

/** API Gateway's frame limit. */
const MAX_FRAME_BYTES = 128 * 1024;
const STAGE = 'local';

const connectionIdOf = (): string => randomBytes(12).toString('base64url');

const reasonPhrase: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const queryOf = (url: URL): Record<string, string> | undefined => {
  const entries = [...url.searchParams.entries()];
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
};

const headersOf = (request: IncomingMessage): Record<string, string> =>
  Object.fromEntries(
    Object.entries(request.headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(',') : value]],
    ),
  );

/** The route key API Gateway would select for a frame (`$request.body.action`). */
const routeKeyOf = (frame: string, known: ReadonlySet<string>): string => {
  try {
    const action = (JSON.parse(frame) as { action?: unknown } | null)?.action;
    return typeof action === 'string' && known.has(action) ? action : '$default';
  } catch {
    return '$default';
  }
};

/** Starts the WebSocket gateway; resolves once it listens. Handlers load on first use. */
export const startWsGateway = async (options: WsGatewayOptions = {}): Promise<WsGateway> => {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'us-east-1';
  const timeoutMs = options.timeoutMs ?? 29_000;
  const routes = options.routes ?? WS_ROUTES;
  const onFailure =
    options.onFailure ??
    ((routeKey: string, error: unknown) => console.error(`[ws-gateway] ${routeKey} failed:`, error));
  const byKey = new Map(routes.flatMap((route) => route.routeKeys.map((key) => [key, route] as const)));
  const actions = new Set([...byKey.keys()].filter((key) => !key.startsWith('$')));
  const handlers = new Map<string, Promise<WsHandler>>();
  const sockets = new Map<string, WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  let port = 0;

  const handlerOf = (route: WsRouteDefinition): Promise<WsHandler> => {
    let handler = handlers.get(route.id);
    if (!handler) {
      handler =
        options.loadHandler?.(route) ??
        (importEntry({ ...route, method: 'WS', path: route.id }) as unknown as Promise<WsHandler>);
      handler.catch(() => handlers.delete(route.id));
      handlers.set(route.id, handler);
    }
    return handler;
  };

  /** Invokes a route's handler as API Gateway does; a failure or timeout answers 500/503. */
  const invoke = async (
    routeKey: string,
    connectionId: string,
    eventType: WsEvent['requestContext']['eventType'],
    more: Partial<WsEvent> = {},
  ): Promise<WsResult> => {
    const route = byKey.get(routeKey) ?? byKey.get('$default');
    if (!route) return { statusCode: 200 };
    const event: WsEvent = {
      requestContext: {
        routeKey,
        connectionId,
        eventType,
        requestId: newRequestId(),
        domainName: `${host}:${port}`,
        stage: STAGE,
      },
      isBase64Encoded: false,
      ...more,
    };
    const ended = options.observe?.({
      routeId: route.id,
      routeKey,
      connectionId,
      requestId: event.requestContext.requestId,
    });
    const answer = () => answerOf(route, event);
    const result = await (ended?.within ? ended.within(answer) : answer());
    ended?.(result.statusCode);
    return result;
  };

  const answerOf = async (route: WsRouteDefinition, event: WsEvent): Promise<WsResult> => {
    const { routeKey } = event.requestContext;
    try {
      const handler = await handlerOf(route);
      const result = await withTimeout(
        handler(event, lambdaContext(`coord-local-${route.id}`, timeoutMs, region)),
        timeoutMs,
      );
      if (result === 'timed_out') {
        onFailure(routeKey, new Error(`no answer within ${timeoutMs} ms`));
        return { statusCode: 503 };
      }
      return result ?? { statusCode: 200 };
    } catch (error) {
      onFailure(routeKey, error);
      return { statusCode: 500 };
    }
  };

  const refuseUpgrade = (socket: Duplex, result: WsResult): void => {
    const body = result.body ?? '';
    socket.end(
      `HTTP/1.1 ${result.statusCode} ${reasonPhrase[result.statusCode] ?? 'Error'}\r\n` +
        'Connection: close\r\nContent-Type: application/json\r\n' +
        Object.entries(result.headers ?? {})
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('') +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };

  const accept = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const connectionId = connectionIdOf();
    const url = new URL(request.url ?? '/', `http://${host}`);
    const query = queryOf(url);
    socket.on('error', () => socket.destroy());
    invoke('$connect', connectionId, 'CONNECT', {
      headers: headersOf(request),
      ...(query && { queryStringParameters: query }),
    }).then((result) => {
      if (result.statusCode < 200 || result.statusCode > 299) {
        refuseUpgrade(socket, result);
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        sockets.set(connectionId, ws);
        // Frames of one connection are handled in order, as API Gateway invokes them.
        let queue = Promise.resolve();
        ws.on('message', (data) => {
          const frame = Array.isArray(data) ? Buffer.concat(data).toString() : data.toString();
          queue = queue.then(async () => {
            await invoke(routeKeyOf(frame, actions), connectionId, 'MESSAGE', { body: frame });
          });
        });
        ws.on('close', (code, reason) => {
          sockets.delete(connectionId);
          queue = queue.then(async () => {
            await invoke('$disconnect', connectionId, 'DISCONNECT', {
              requestContext: {
                routeKey: '$disconnect',
                connectionId,
                eventType: 'DISCONNECT',
                requestId: newRequestId(),
                domainName: `${host}:${port}`,
                stage: STAGE,
                disconnectStatusCode: code,
                disconnectReason: reason.toString(),
              },
            });
          });
        });
        ws.on('error', () => ws.terminate());
      });
    });
  };

  /** The management API: `POST` sends a frame, `GET` describes, `DELETE` closes; 410 when gone. */
  const manage = (request: IncomingMessage, response: ServerResponse): void => {
    const match = /^\/(?:[^/]+\/)?@connections\/([^/?]+)/.exec(request.url ?? '');
    const id = match?.[1] && decodeURIComponent(match[1]);
    if (!id) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const ws = sockets.get(id);
      if (!ws || ws.readyState !== ws.OPEN) {
        response
          .writeHead(410, { 'content-type': 'application/json', 'x-amzn-errortype': 'GoneException' })
          .end(JSON.stringify({ message: `Connection ${id} is gone.` }));
        return;
      }
      const body = Buffer.concat(chunks);
      if (request.method === 'POST') {
        if (body.length > MAX_FRAME_BYTES) {
          response
            .writeHead(413, {
              'content-type': 'application/json',
              'x-amzn-errortype': 'PayloadTooLargeException',
            })
            .end(JSON.stringify({ message: 'The message is larger than 128 KB.' }));
          return;
        }
        ws.send(body.toString('utf8'));
        response.writeHead(200).end();
      } else if (request.method === 'DELETE') {
        ws.close(1000);
        response.writeHead(204).end();
      } else {
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ connectionId: id }));
      }
    });
  };

  const server = createServer(manage);
  server.on('upgrade', accept);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const callbackUrl = `http://${host}:${port}`;
  const inProcessPosts = options.inProcessPosts ?? process.env.COORD_LOCAL_WS_POSTS !== 'http';
  const stopServing = inProcessPosts
    ? serveInProcess(
        callbackUrl,
        createSocketNotifier((id) => sockets.get(id)),
      )
    : () => {};
  return {
    url: `ws://${host}:${port}`,
    callbackUrl,
    port,
    connectionIds: () => [...sockets.keys()],
    close: async () => {
      stopServing();
      for (const ws of sockets.values()) ws.terminate();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
};
