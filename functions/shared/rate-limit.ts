/**
 * The rate limit step of the HTTP chain, right after authentication, and the same limit on the
 * WebSocket routes: every authenticated request, connection and client frame takes one token
 * from its caller's bucket (`src/core/rate-limit.ts`), keyed by the principal, so each issued
 * token, each agent and each fixed credential has its own. An empty bucket answers 429
 * `rate_limited` with `Retry-After` over HTTP (before the body is read), refuses a `$connect`
 * with 429, and answers a client frame with an `error` frame of code `rate_limited`.
 */
import type { MiddlewareObj } from '@middy/core';
import { RateLimitedError } from '#core/errors';
import { DEFAULT_RATE_LIMIT, type RateLimit, RateLimiter } from '#core/rate-limit';
import type { Principal } from '#core/roles';
import { type HttpContext, type HttpEvent, type HttpResult, type HttpRuntime, stateOf } from './request';

/** One limiter per runtime, shared by every route of the process. */
const limiters = new WeakMap<HttpRuntime, RateLimiter>();

const limiterOf = (runtime: HttpRuntime): RateLimiter => {
  let limiter = limiters.get(runtime);
  if (!limiter) {
    limiter = new RateLimiter(runtime.rateLimit?.() ?? DEFAULT_RATE_LIMIT);
    limiters.set(runtime, limiter);
  }
  return limiter;
};

/**
 * Takes one request of `principal` from `limiter` at `nowMs`.
 * @throws RateLimitedError when its bucket is empty (with the seconds until it is not)
 */
export const admit = (limiter: RateLimiter, principal: Principal, nowMs: number): void => {
  const waitSeconds = limiter.take(`${principal.role}:${principal.id}`, nowMs);
  if (waitSeconds > 0) {
    throw new RateLimitedError(waitSeconds, 'Too many requests with this token; slow down.');
  }
};

/** The chain step described above. */
export const rateLimit = (
  runtime: HttpRuntime,
): MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> => ({
  before: (request) => {
    const principal = stateOf(request).principal;
    if (!principal) return;
    admit(limiterOf(runtime), principal, runtime.ports().clock.now().getTime());
  },
});

let wsLimiter: { readonly limit: RateLimit; readonly limiter: RateLimiter } | undefined;

/**
 * The WebSocket routes' limiter of this process, under `limit` (a new limit starts new buckets):
 * `$connect` and the message handler share it, so a token's connections and frames draw from
 * one bucket.
 */
export const wsRateLimiter = (limit: RateLimit = DEFAULT_RATE_LIMIT): RateLimiter => {
  if (wsLimiter?.limit.perSecond !== limit.perSecond || wsLimiter.limit.burst !== limit.burst) {
    wsLimiter = { limit, limiter: new RateLimiter(limit) };
  }
  return wsLimiter.limiter;
};
