import { describe, expect, it } from 'vitest';
import { costOf, retryAfterMs } from '#adapters/ai/claude-advisor';

const NOW = Date.parse('2026-03-02T09:00:00Z');

describe('retryAfterMs', () => {
  it('reads retry-after-ms first, then retry-after as seconds or as a date', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }), NOW)).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }), NOW)).toBe(3000);
    expect(retryAfterMs(new Headers({ 'retry-after': new Date(NOW + 4000).toUTCString() }), NOW)).toBe(4000);
  });

  it('answers undefined without a usable header', () => {
    expect(retryAfterMs(undefined, NOW)).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), NOW)).toBeUndefined();
  });
});

describe('costOf', () => {
  it('prices input, output and cache tokens by model family', () => {
    const usage = { input: 1_000_000, output: 1_000_000, cacheRead: 1_000_000, cacheWrite: 0 };
    expect(costOf('claude-sonnet-4-5', usage)).toBeCloseTo(3 + 15 + 0.3, 6);
    expect(costOf('claude-haiku-4-5', usage)).toBeCloseTo(1 + 5 + 0.1, 6);
    expect(costOf('claude-opus-4-1', { ...usage, cacheRead: 0, cacheWrite: 1_000_000 })).toBeCloseTo(
      15 + 75 + 18.75,
      6,
    );
  });
});
