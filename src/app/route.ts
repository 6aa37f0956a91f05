/**
 * What a route of the HTTP API is: the one type the route table (`functions/shared/routes`),
 * authorization (`auth.ts`), the OpenAPI generator (`openapi.ts`), CDK and the local gateway
 * all use. The table itself lives with the handlers; this module only says its shape and the
 * rules that derive a route's tag and handler file, so no field is written twice.
 */
import type { TSchema } from '@sinclair/typebox';
import type { ErrorCode } from '#core/errors';
import type { Role } from '#core/roles';

/** HTTP methods the API uses. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Who may call a route: roles, or `public` (no token) for health and the OpenAPI document. */
export type Access = readonly Role[] | 'public';

/** Outside services whose signatures authenticate requests (see `RouteDefinition.signedBy`). */
export type SignedBy = 'github';

/** OpenAPI tags with their descriptions; a route's tag comes from its path (see {@link tagOfPath}). */
export const ROUTE_TAGS = {
  health: 'Liveness of the service and its store.',
  docs: 'This document.',
  agents: 'Registration, liveness, tokens and retirement of agents.',
  work: 'Work items: creation, claims, progress and their end.',
  teams: 'Per-team counts and forecasts.',
  audit: 'The audit log.',
  escalations: 'Work that needs a person: exhausted retries, passed deadlines, failed dependencies.',
  invariants: 'What the service keeps true, checked by the sweeper, with repairs an admin can apply.',
  metrics: 'Throughput, claim latency, conflicts and queue depth over time.',
  admin: 'Runtime settings, issued tokens and bulk import.',
  events: 'Live messages as server-sent events, resumable from a cursor.',
  webhooks:
    'Outgoing webhooks: signed deliveries of live events, retried, each recorded; a failing one is paused.',
  ai: 'Advice from Claude, with a heuristic answer whenever Claude is not used (`source`, `fallbackReason`).',
  integrations:
    'Events from other services, authenticated by their own signatures instead of a bearer token.',
} as const;

/** An OpenAPI tag. */
export type RouteTag = keyof typeof ROUTE_TAGS;

/** Path segments (after `/v1/`) whose routes share another segment's tag. */
const TAG_OF_SEGMENT: Readonly<Record<string, RouteTag>> = {
  config: 'admin',
  tokens: 'admin',
  import: 'admin',
};

const isTag = (name: string): name is RouteTag => Object.hasOwn(ROUTE_TAGS, name);

/**
 * The tag of a route: `docs` for the OpenAPI document, else the first segment after `/v1/`
 * (`/v1/work/{id}/claim` is `work`), with settings, tokens and import grouped under `admin`.
 * @throws Error when the segment names no tag (add it to {@link ROUTE_TAGS})
 */
export const tagOfPath = (path: string): RouteTag => {
  if (path === '/openapi.json') return 'docs';
  const segment = /^\/v1\/([^/]+)/.exec(path)?.[1] ?? '';
  const tag = TAG_OF_SEGMENT[segment] ?? segment;
  if (!isTag(tag)) throw new Error(`No OpenAPI tag for ${path}: add "${segment}" to ROUTE_TAGS.`);
  return tag;
};

/** The handler module of a route id: `claimNext` is `functions/http/claim-next.ts`. */
export const entryOfRouteId = (id: string): string =>
  `functions/http/${id.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}.ts`;

/** One route of the HTTP API. */
export interface RouteDefinition {
  /** Stable id: the Lambda function's logical name, the OpenAPI operationId and (kebab-cased) the handler file. */
  readonly id: string;
  readonly method: HttpMethod;
  /** API Gateway path syntax, e.g. `/v1/work/{id}/claim`. */
  readonly path: string;
  /** Handler module, relative to the project root; it exports `handler` (derived from `id`). */
  readonly entry: string;
  /** OpenAPI tag (derived from `path`). */
  readonly tag: RouteTag;
  readonly access: Access;
  readonly summary: string;
  readonly body?: TSchema;
  readonly query?: TSchema;
  readonly params?: TSchema;
  /** Largest accepted body. @default 64 KiB */
  readonly maxBodyBytes?: number;
  /**
   * The function's timeout, for routes that do much per call (API Gateway waits 30 s at most).
   * @default the CoordFunction default (10 s)
   */
  readonly timeoutSeconds?: number;
  /**
   * For a `public` route: the outside service whose signature of the raw body authenticates the
   * request instead of a bearer token (`github`: `X-Hub-Signature-256` with the configured
   * webhook secret); a missing or wrong signature is 401. CDK grants only this route's function
   * that service's secret. @default none: a public route takes anyone
   */
  readonly signedBy?: SignedBy;
  /** What the function needs from the data stack; CDK grants exactly this. */
  readonly grants: 'read' | 'readWrite';
  /**
   * Ids of the queues the handler sends to; CDK grants sending and passes each URL
   * (`COORD_<ID>_QUEUE_URL`). @default none
   */
  readonly sends?: readonly string[];
  /** Success answers by status: the body's schema, or `null` for none (204). */
  readonly responses?: Readonly<Record<number, TSchema | null>>;
  /**
   * Error codes this route answers besides the ones every route of its kind may give
   * (validation, authentication, body size and type, idempotency, unavailable, internal).
   */
  readonly errors?: readonly ErrorCode[];
}

/** A route as written in the table: everything but what is derived from its id and path. */
export type RouteSpec = Omit<RouteDefinition, 'entry' | 'tag'>;

/** A route with its handler file and tag filled in; its own schema types stay visible to handlers. */
export const defineRoute = <const S extends RouteSpec>(
  spec: S,
): S & { readonly entry: string; readonly tag: RouteTag } => ({
  ...spec,
  entry: entryOfRouteId(spec.id),
  tag: tagOfPath(spec.path),
});

/** Routes by id (`workRoutes.claimNext`), each with its own schema types. */
export const routesById = <const R extends readonly RouteDefinition[]>(
  list: R,
): { readonly [I in R[number]['id']]: Extract<R[number], { readonly id: I }> } =>
  Object.fromEntries(list.map((route) => [route.id, route])) as {
    readonly [I in R[number]['id']]: Extract<R[number], { readonly id: I }>;
  };
