/**
 * What the edge of the HTTP API answers itself, before any route's handler runs: a path no route
 * takes (API Gateway's own 404), a known path with another method (405 with `allow`), `OPTIONS`
 * (204 with `allow`, and the CORS preflight where origins are configured), and a body above API
 * Gateway's own limit (answered locally in the API's error shape, see {@link tooLargeAnswer}). The local gateway and the AWS fallback route (`functions/http/fallback.ts`,
 * API Gateway's `$default` route) both answer through {@link edgeAnswer} with the same matcher, so
 * the two cannot drift apart. CORS headers on every other answer come from {@link corsHeaders}.
 */
import type { RouteResolution } from './route-matcher';

/** An answer of the edge: status, headers and a JSON body (none for 204). */
export interface EdgeAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** What API Gateway answers for a path no route takes, in its own shape (not the API's error shape). */
export const NOT_FOUND_BODY = { message: 'Not Found' } as const;

/** API Gateway's HTTP API request body limit (10 MB); larger bodies never reach a handler. */
export const GATEWAY_BODY_LIMIT_BYTES = 10 * 1024 * 1024;

/** Request headers a browser may send cross-origin (the preflight's `access-control-allow-headers`). */
const CORS_REQUEST_HEADERS = 'authorization, content-type, idempotency-key';
/** Answer headers a cross-origin script may read. */
const CORS_EXPOSED_HEADERS = 'allow, retry-after, x-request-id';
/** How long a browser may keep a preflight's answer, in seconds. */
const CORS_MAX_AGE_SECONDS = '600';

/**
 * The origins `COORD_CORS_ORIGINS` names: comma-separated, `*` for any; none when unset.
 * `https://a.example, https://b.example` is `['https://a.example', 'https://b.example']`.
 */
export const parseCorsOrigins = (value: string | undefined): readonly string[] =>
  (value ?? '')
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter((origin) => origin !== '');

/**
 * The CORS headers of an answer to a request sent from `origin`: none unless that origin is
 * configured (or `*` is), so by default no browser page of another origin may read an answer.
 */
export const corsHeaders = (
  origins: readonly string[],
  origin: string | undefined,
): Readonly<Record<string, string>> => {
  if (origin === undefined || origins.length === 0) return {};
  if (origins.includes('*'))
    return { 'access-control-allow-origin': '*', 'access-control-expose-headers': CORS_EXPOSED_HEADERS };
  if (!origins.includes(origin)) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': CORS_EXPOSED_HEADERS,
    vary: 'origin',
  };
};

/** What {@link edgeAnswer} needs of a request. */
export interface EdgeRequest {
  readonly method: string;
  readonly rawPath: string;
  readonly requestId: string;
  /** The `origin` header, if any. */
  readonly origin?: string | undefined;
  /** Configured CORS origins ({@link parseCorsOrigins}). */
  readonly corsOrigins: readonly string[];
}

const jsonHeaders = { 'content-type': 'application/json' } as const;

/** A request no route takes: its path is unknown, or known with other methods. */
export type Unrouted = Exclude<RouteResolution<unknown>, { readonly kind: 'matched' }>;

/**
 * The edge's own answer to a request no route takes (a request that matched a route, `HEAD` on a
 * `GET` route included, is its handler's to answer).
 */
export const edgeAnswer = (resolution: Unrouted, request: EdgeRequest): EdgeAnswer => {
  const { method, rawPath, requestId } = request;
  const cors = corsHeaders(request.corsOrigins, request.origin);
  if (resolution.kind === 'not_found') {
    // No route takes this path (a trailing slash counts): API Gateway's own answer.
    return { statusCode: 404, headers: { ...jsonHeaders, ...cors }, body: JSON.stringify(NOT_FOUND_BODY) };
  }
  const { allow } = resolution;
  if (method === 'OPTIONS') {
    const allowed = [...allow, 'OPTIONS'].join(', ');
    const preflight: Record<string, string> =
      Object.keys(cors).length > 0
        ? {
            'access-control-allow-methods': allowed,
            'access-control-allow-headers': CORS_REQUEST_HEADERS,
            'access-control-max-age': CORS_MAX_AGE_SECONDS,
          }
        : {};
    return { statusCode: 204, headers: { allow: allowed, 'x-request-id': requestId, ...cors, ...preflight } };
  }
  return {
    statusCode: 405,
    headers: { ...jsonHeaders, allow: allow.join(', '), 'x-request-id': requestId, ...cors },
    body: JSON.stringify({
      error: {
        code: 'method_not_allowed',
        message: `${method} is not allowed on ${rawPath}; use ${allow.join(' or ')}.`,
        details: { allow },
      },
    }),
  };
};

/**
 * The local gateway's answer to a body above its limit ({@link GATEWAY_BODY_LIMIT_BYTES} unless
 * told another), in the API's error shape as a route's own 413 is. On AWS, API Gateway answers
 * such a body itself, before any function, with `{"message": "Request Entity Too Large"}`; an HTTP
 * API cannot change that answer (it has no gateway responses), so there the shape differs.
 */
export const tooLargeAnswer = (limitBytes: number): EdgeAnswer => ({
  statusCode: 413,
  headers: { ...jsonHeaders },
  body: JSON.stringify({
    error: {
      code: 'payload_too_large',
      message: `The request body is larger than ${limitBytes} bytes.`,
      details: { limitBytes },
    },
  }),
});
