import { describe, expect, it } from 'vitest';
import { RecentWork } from '#adapters/dynamo/work-cache';
import { aWorkItem } from '#test/support/builders';

/** A cache on a clock the test moves. */
const onClock = (ttlSeconds: number, limit?: number) => {
  let now = 1_000;
  const cache = new RecentWork(ttlSeconds, limit, () => now);
  return { cache, advance: (ms: number) => (now += ms) };
};

describe('RecentWork', () => {
  it('keeps an item for its time to keep, then forgets it', () => {
    const { cache, advance } = onClock(60);
    const item = aWorkItem({ id: 'wi_a', version: 3 });
    cache.keep(item);
    advance(59_999);
    expect(cache.get('wi_a')).toBe(item);
    advance(1);
    expect(cache.get('wi_a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never replaces a newer version with an older one', () => {
    const { cache } = onClock(60);
    const newer = aWorkItem({ id: 'wi_a', version: 5 });
    cache.keep(newer);
    cache.keep(aWorkItem({ id: 'wi_a', version: 4 }));
    expect(cache.get('wi_a')).toBe(newer);
    const same = aWorkItem({ id: 'wi_a', version: 5, title: 'read again' });
    cache.keep(same);
    expect(cache.get('wi_a')).toBe(same);
  });

  it('forgets an item on request, after which an older version may be kept again', () => {
    const { cache } = onClock(60);
    cache.keep(aWorkItem({ id: 'wi_a', version: 9 }));
    cache.forget('wi_a');
    expect(cache.get('wi_a')).toBeUndefined();
    const stored = aWorkItem({ id: 'wi_a', version: 2 });
    cache.keep(stored);
    expect(cache.get('wi_a')).toBe(stored);
  });

  it('holds at most its limit, dropping the least recently kept', () => {
    const { cache } = onClock(60, 2);
    cache.keep(aWorkItem({ id: 'wi_a', version: 1 }));
    cache.keep(aWorkItem({ id: 'wi_b', version: 1 }));
    cache.keep(aWorkItem({ id: 'wi_a', version: 2 }));
    cache.keep(aWorkItem({ id: 'wi_c', version: 1 }));
    expect(cache.size).toBe(2);
    expect(cache.get('wi_b')).toBeUndefined();
    expect(cache.get('wi_a')?.version).toBe(2);
    expect(cache.get('wi_c')?.version).toBe(1);
  });

  it('keeps nothing with no time to keep', () => {
    const { cache } = onClock(0);
    cache.keep(aWorkItem({ id: 'wi_a' }));
    expect(cache.get('wi_a')).toBeUndefined();
  });
});
