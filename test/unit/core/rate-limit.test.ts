import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMIT, RateLimiter } from '#core/rate-limit';

describe('RateLimiter', () => {
  it('lets a caller make its burst at once, then refuses with the wait until the next token', () => {
    const limiter = new RateLimiter({ perSecond: 2, burst: 3 });

    const answers = [0, 0, 0, 0].map(() => limiter.take('a', 1_000));

    expect(answers).toEqual([0, 0, 0, 0.5]);
  });

  it('refills at the sustained rate, never above the burst', () => {
    const limiter = new RateLimiter({ perSecond: 2, burst: 3 });
    for (let i = 0; i < 3; i += 1) limiter.take('a', 0);

    expect(limiter.take('a', 500)).toBe(0);
    expect(limiter.take('a', 500)).toBeGreaterThan(0);
    expect([0, 0, 0, 0].map(() => limiter.take('a', 60_000))).toEqual([0, 0, 0, 0.5]);
  });

  it('keeps each caller in its own bucket', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 });

    expect(limiter.take('a', 0)).toBe(0);
    expect(limiter.take('a', 0)).toBe(1);
    expect(limiter.take('b', 0)).toBe(0);
    expect(limiter.take('a', 0)).toBe(1);
  });

  it('answers the wait for what is missing of the next token', () => {
    const limiter = new RateLimiter({ perSecond: 2, burst: 1 });
    limiter.take('a', 0);

    expect(limiter.take('a', 250)).toBe(0.25);
  });

  it('remembers 10,000 callers and forgets the one seen longest ago, which starts full again', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 });
    limiter.take('first', 0);
    limiter.take('second', 0);
    expect(limiter.take('first', 0)).toBe(1);
    for (let i = 0; i < 9_998; i += 1) limiter.take(`caller-${i}`, 0);

    limiter.take('newcomer', 0);

    expect(limiter.take('first', 0)).toBe(1);
    expect(limiter.take('caller-0', 0)).toBe(1);
    expect(limiter.take('second', 0)).toBe(0);
  });

  it('has generous defaults', () => {
    expect(DEFAULT_RATE_LIMIT).toEqual({ perSecond: 500, burst: 2000 });
  });
});
