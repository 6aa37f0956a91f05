import { describe, expect, it } from 'vitest';
import { subscriberLookup } from '#app/use-cases/realtime/subscriber-lookup';
import type { ConnectionStore } from '#core/realtime/ports';

/** A connection index over a fixed map, counting the queries it answers. */
const index = (subscribers: Record<string, string[]>, pageSize = 2) => {
  const queries: { channel: string; cursor?: string }[] = [];
  let failNext = false;
  const store: Pick<ConnectionStore, 'subscribersOf'> = {
    async subscribersOf(channel, page) {
      queries.push({ channel, ...(page.cursor !== undefined && { cursor: page.cursor }) });
      if (failNext) {
        failNext = false;
        throw new Error('store unavailable');
      }
      const all = subscribers[channel] ?? [];
      const from = Number(page.cursor ?? 0);
      const to = from + Math.min(page.limit, pageSize);
      return { items: all.slice(from, to), ...(to < all.length && { nextCursor: String(to) }) };
    },
  };
  return { store, queries, failOnce: () => (failNext = true) };
};

describe('subscriberLookup', () => {
  it('reads each channel once however many events ask for it', async () => {
    const { store, queries } = index({ 'team:a': ['c1', 'c2'], all: ['c3'] }, 10);
    const lookup = subscriberLookup(store);

    const answers = await Promise.all([
      lookup.recipientsOf(['team:a', 'all']),
      lookup.recipientsOf(['team:a']),
      lookup.recipientsOf(['all', 'team:a']),
    ]);

    expect(answers.map((ids) => [...ids].sort())).toEqual([
      ['c1', 'c2', 'c3'],
      ['c1', 'c2'],
      ['c1', 'c2', 'c3'],
    ]);
    expect(queries.map((query) => query.channel).sort()).toEqual(['all', 'team:a']);
  });

  it('follows every page of a channel', async () => {
    const { store, queries } = index({ 'team:a': ['c1', 'c2', 'c3', 'c4', 'c5'] }, 2);

    const ids = await subscriberLookup(store).recipientsOf(['team:a']);

    expect(ids).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    expect(queries).toEqual([
      { channel: 'team:a' },
      { channel: 'team:a', cursor: '2' },
      { channel: 'team:a', cursor: '4' },
    ]);
  });

  it('names a connection subscribed to several of the channels once', async () => {
    const { store } = index({ 'team:a': ['c1', 'c2'], 'work:w1': ['c2', 'c3'] }, 10);

    const ids = await subscriberLookup(store).recipientsOf(['team:a', 'work:w1', 'team:a']);

    expect([...ids].sort()).toEqual(['c1', 'c2', 'c3']);
  });

  it('leaves a forgotten connection out of later answers', async () => {
    const { store } = index({ 'team:a': ['c1', 'c2'] }, 10);
    const lookup = subscriberLookup(store);
    await lookup.recipientsOf(['team:a']);

    lookup.forget('c1');

    expect(await lookup.recipientsOf(['team:a'])).toEqual(['c2']);
  });

  it('reads a channel again after a failed read instead of keeping the failure', async () => {
    const { store, queries, failOnce } = index({ 'team:a': ['c1'] }, 10);
    const lookup = subscriberLookup(store);
    failOnce();

    await expect(lookup.recipientsOf(['team:a'])).rejects.toThrow('store unavailable');
    expect(await lookup.recipientsOf(['team:a'])).toEqual(['c1']);
    expect(queries).toHaveLength(2);
  });

  it('gives a fresh lookup its own reads (it lives for one batch)', async () => {
    const { store, queries } = index({ 'team:a': ['c1'] }, 10);

    await subscriberLookup(store).recipientsOf(['team:a']);
    await subscriberLookup(store).recipientsOf(['team:a']);

    expect(queries).toHaveLength(2);
  });
});
