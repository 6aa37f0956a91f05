/**
 * The WebSocket API's routes: which handler module answers which route key. Pure data, like
 * `routes.ts`: CDK (the realtime stack) makes one function and integration per entry, and the
 * local WebSocket server invokes the same modules with API Gateway WebSocket-shaped events.
 * Client messages are routed by their `action` (`$request.body.action`); `$default` answers
 * anything else.
 */
import { AI_TIMEOUT_SECONDS } from './routes/ai';

/** One handler of the WebSocket API. */
export interface WsRouteDefinition {
  /** Stable id: the function's logical name. */
  readonly id: string;
  /** API Gateway route keys this handler answers. */
  readonly routeKeys: readonly string[];
  /** Handler module, relative to the project root; it exports `handler`. */
  readonly entry: string;
  /** How long the handler may run (an `ask` waits for Claude). @default the function default */
  readonly timeoutSeconds?: number;
}

/** The client actions (API.md "WebSocket"): each is a route key of the message handler. */
export const WS_ACTIONS = ['subscribe', 'unsubscribe', 'ping', 'ask'] as const;

/** A client action. */
export type WsAction = (typeof WS_ACTIONS)[number];

/** The route selection expression: a client message's `action` picks its route. */
export const WS_ROUTE_SELECTION = '$request.body.action';

/** Every WebSocket handler. */
export const WS_ROUTES: readonly WsRouteDefinition[] = [
  { id: 'wsConnect', routeKeys: ['$connect'], entry: 'functions/ws/connect.ts' },
  { id: 'wsDisconnect', routeKeys: ['$disconnect'], entry: 'functions/ws/disconnect.ts' },
  {
    id: 'wsMessage',
    routeKeys: [...WS_ACTIONS, '$default'],
    entry: 'functions/ws/message.ts',
    // `ask` streams a model answer of up to a few tool turns; the AI routes get as long.
    timeoutSeconds: AI_TIMEOUT_SECONDS,
  },
];
