/**
 * The rate limit step of the HTTP chain, right after authentication: every authenticated request
 * takes one token from its caller's bucket (`src/core/rate-limit.ts`), keyed by the principal,
 * so each issued token, each agent and each fixed credential has its own. An empty bucket
 * answers 429 `rate_limited` with `Retry-After`, before the body is read.
 */
import type { MiddlewareObj } from '@middy/core';
import { RateLimitedError } from '#core/errors';
import { DEFAULT_RATE_LIMIT, RateLimiter } from '#core/rate-limit';
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

/** The chain step described above. */
export const rateLimit = (
  runtime: HttpRuntime,
): MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> => ({
  before: (request) => {
    const principal = stateOf(request).principal;
    if (!principal) return;
    const waitSeconds = limiterOf(runtime).take(
      `${principal.role}:${principal.id}`,
      runtime.ports().clock.now().getTime(),
    );
    if (waitSeconds > 0) {
      throw new RateLimitedError(waitSeconds, 'Too many requests with this token; slow down.');
    }
  },
});
