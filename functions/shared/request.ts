/**
 * The shapes the HTTP chain passes between its steps: the API Gateway event and result, the
 * per-request state, and what the chain needs from the composition root.
 */
import type { Request } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { AuthSecrets } from '#app/auth';
import type { SignedBy } from '#app/route';
import type { Ports } from '#core/ports';
import type { RateLimit } from '#core/rate-limit';
import type { Principal } from '#core/roles';

/** An API Gateway HTTP API (payload 2.0) event. */
export type HttpEvent = APIGatewayProxyEventV2;
/** What a handler answers API Gateway. */
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** What the chain learned about one request. */
export interface ChainState {
  principal?: Principal;
  body?: unknown;
  query?: unknown;
  params?: unknown;
  /** The stored answer of an earlier request with the same Idempotency-Key. */
  replay?: HttpResult;
  /** The reserved idempotency scope, until its answer is stored or released. */
  idempotencyScope?: string;
}

/**
 * The Lambda context as the chain extends it. middy hands the handler only the event and the
 * context, and the context is created per invocation, so this is where per-request state can
 * travel without two concurrent invocations of one module ever sharing it.
 */
export interface HttpContext extends Context {
  coord?: ChainState;
  /**
   * Set by a runtime that writes a streamed body (a Node `Readable` as `body`) to the client as it
   * is produced: the local HTTP gateway. Unset on Lambda's buffered API Gateway integration, where
   * a streamed reply is collected into a string before the handler returns.
   */
  streamsResponse?: boolean;
}

/** A middy request of this chain. */
export type HttpRequest = Request<HttpEvent, HttpResult, Error, HttpContext>;

/** What the chain needs from the composition root. */
export interface HttpRuntime {
  /** The ports the chain itself uses (built once per cold start). */
  readonly ports: () => Pick<Ports, 'tokens' | 'hasher' | 'idempotency' | 'clock'>;
  /** The admin token and registration key (resolved once per cold start). */
  readonly authSecrets: () => Promise<AuthSecrets>;
  /** Origins whose pages may read the answers (`COORD_CORS_ORIGINS`). @default none */
  readonly corsOrigins?: () => readonly string[];
  /** Each caller's request rate (`COORD_RATE_LIMIT_*`). @default `DEFAULT_RATE_LIMIT` */
  readonly rateLimit?: () => RateLimit;
  /**
   * The secret an outside service signs its requests with (routes with `signedBy`), or
   * `undefined` while none is configured. @default none: such routes answer 403
   */
  readonly signingSecret?: (service: SignedBy) => Promise<string | undefined>;
  /**
   * The origin secret CloudFront sends on a stage with a per-IP limit (`COORD_ORIGIN_SECRET_ARN`),
   * or `undefined` where there is none. @default none: every request is taken, whatever its origin
   */
  readonly originSecrets?: () => OriginCheck | undefined;
}

/** Checks the origin header of a request (see `origin-verify.ts`). */
export interface OriginCheck {
  /** Whether `given` is an accepted origin secret value. */
  verify(given: string | undefined): Promise<boolean>;
}

/** The per-request state of the chain. */
export const stateOf = (request: HttpRequest): ChainState => {
  request.context.coord ??= {};
  return request.context.coord;
};

/** A request header, whatever the case of its name (API Gateway sends lower case). */
export const headerOf = (event: HttpEvent, name: string): string | undefined => {
  const headers = event.headers ?? {};
  const lower = name.toLowerCase();
  return headers[lower] ?? Object.entries(headers).find(([key]) => key.toLowerCase() === lower)?.[1];
};

/** API Gateway's request id: answered as `x-request-id` and recorded by audit events. */
export const requestIdOf = (event: HttpEvent): string => event.requestContext?.requestId ?? 'unknown';
