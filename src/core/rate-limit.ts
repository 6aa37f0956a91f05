/**
 * Per-caller token buckets: each caller may make `burst` requests at once and `perSecond` a
 * second after that. Kept in memory by each process (a Lambda container, the local server), so
 * the limit a caller meets across a fleet is this one times the containers serving it: it stops
 * one caller from taking a container's whole throughput, not a distributed flood (the stage
 * throttle and, on AWS, the WAF rule are for that).
 */

/** A rate limit: sustained requests per second and the burst allowed on top. */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

/** The defaults: far above a busy agent (a claim, progress and heartbeat every few seconds) and `npm run bench`. */
export const DEFAULT_RATE_LIMIT: RateLimit = { perSecond: 500, burst: 2000 };

/** Callers remembered at most; the longest idle is forgotten first (a forgotten caller starts full). */
const MAX_CALLERS = 10_000;

interface Bucket {
  tokens: number;
  atMs: number;
}

/** Token buckets of many callers under one limit. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly limit: RateLimit) {}

  /**
   * Takes one request from `caller`'s bucket at `nowMs`.
   * @returns 0 when the request may go ahead, else the seconds until it may
   */
  take(caller: string, nowMs: number): number {
    const { perSecond, burst } = this.limit;
    const stored = this.buckets.get(caller);
    const elapsedSeconds = stored ? Math.max(0, nowMs - stored.atMs) / 1000 : 0;
    const tokens = Math.min(burst, stored ? stored.tokens + elapsedSeconds * perSecond : burst);
    // Re-inserted so the map's order is least recently seen first.
    this.buckets.delete(caller);
    if (this.buckets.size >= MAX_CALLERS) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    if (tokens < 1) {
      this.buckets.set(caller, { tokens, atMs: nowMs });
      return (1 - tokens) / perSecond;
    }
    this.buckets.set(caller, { tokens: tokens - 1, atMs: nowMs });
    return 0;
  }
}
