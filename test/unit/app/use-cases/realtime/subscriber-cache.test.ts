import { describe, expect, it } from 'vitest';
import {
  SUBSCRIBERS_MAX_AGE_MS,
  SUBSCRIBERS_SETTLE_MS,
  subscriberCache,
} from '#app/use-cases/realtime/subscriber-cache';
import type { ChannelVersion, ConnectionStore } from '#core/realtime/ports';
import { fixedClock } from '#test/support/clock';

const START = '2026-03-02T09:00:00.000Z';
const startMs = Date.parse(START);

/**
 * Subscriptions as plain data with a version per channel, as the connection store keeps them:
 * `join`/`leave` change a channel's list and give it a new version stamped `changedAtMs`.
 * Counts the index queries and version reads it answers.
 */
const store = (clock: { now(): Date }) => {
  const lists = new Map<string, string[]>();
  const versions = new Map<string, ChannelVersion>();
  const queries: string[] = [];
  const versionReads: string[][] = [];
  let next = 0;
  const bump = (channel: string, changedAtMs = clock.now().getTime()) => {
    next += 1;
    versions.set(channel, { token: `v${next}`, changedAtMs });
  };
  const connections: Pick<ConnectionStore, 'subscribersOf' | 'channelVersions'> = {
    async subscribersOf(channel) {
      queries.push(channel);
      return { items: [...(lists.get(channel) ?? [])] };
    },
    async channelVersions(channels) {
      versionReads.push([...channels]);
      return new Map(
        channels.flatMap((channel) => {
          const version = versions.get(channel);
          return version ? [[channel, version] as const] : [];
        }),
      );
    },
  };
  return {
    connections,
    queries,
    versionReads,
    join(channel: string, id: string, changedAtMs?: number) {
      lists.set(channel, [...(lists.get(channel) ?? []), id]);
      bump(channel, changedAtMs);
    },
    leave(channel: string, id: string) {
      lists.set(
        channel,
        (lists.get(channel) ?? []).filter((each) => each !== id),
      );
      bump(channel);
    },
    expireVersion(channel: string) {
      versions.delete(channel);
    },
    /** A change the version does not record (a row removed by TTL). */
    dropSilently(channel: string, id: string) {
      lists.set(
        channel,
        (lists.get(channel) ?? []).filter((each) => each !== id),
      );
    },
  };
};

/** A cache over a fresh store, with its clock, both starting at {@link START}. */
const setup = (options = {}) => {
  const clock = fixedClock(START);
  const world = store(clock);
  const cache = subscriberCache({ connections: world.connections, clock }, options);
  const round = async (channels: string[]) => {
    const lookup = await cache.lookupFor(channels);
    return (await lookup.recipientsOf(channels)).sort();
  };
  return { clock, world, cache, round };
};

describe('subscriberCache', () => {
  it('reads a round’s channel versions once and no list again while no channel changed', async () => {
    const { clock, world, round } = setup();
    world.join('all', 'c1', startMs - SUBSCRIBERS_SETTLE_MS);

    const first = await round(['all', 'team:a']);
    clock.advance(1);
    const second = await round(['all', 'team:a']);

    expect([first, second]).toEqual([['c1'], ['c1']]);
    expect(world.queries.sort()).toEqual(['all', 'team:a']);
    expect(world.versionReads).toEqual([
      ['all', 'team:a'],
      ['all', 'team:a'],
    ]);
  });

  it('reads a channel again in the first round after a connection joined it', async () => {
    const { clock, world, round } = setup();
    await round(['team:a']);
    clock.advance(5);

    world.join('team:a', 'c-new');
    const answer = await round(['team:a']);

    expect(answer).toEqual(['c-new']);
    expect(world.queries).toEqual(['team:a', 'team:a']);
  });

  it('stops sending to a connection in the first round after it left the channel', async () => {
    const { clock, world, round } = setup();
    world.join('team:a', 'c1', startMs - SUBSCRIBERS_SETTLE_MS);
    world.join('team:a', 'c2', startMs - SUBSCRIBERS_SETTLE_MS);
    await round(['team:a']);
    clock.advance(5);

    world.leave('team:a', 'c1');

    expect(await round(['team:a'])).toEqual(['c2']);
  });

  it('reads a changed channel every round until the change has settled, then keeps the list', async () => {
    const { clock, world, round } = setup();
    world.join('team:a', 'c1');

    await round(['team:a']);
    clock.advance((SUBSCRIBERS_SETTLE_MS - 1) / 1000);
    await round(['team:a']);
    clock.advance(1 / 1000);
    await round(['team:a']);
    clock.advance(1);
    await round(['team:a']);

    // The last two rounds: the third read its list exactly settleMs after the change, the fourth kept it.
    expect(world.queries).toEqual(['team:a', 'team:a', 'team:a']);
  });

  it('reads a list again once it is as old as the longest it is kept, whatever its version says', async () => {
    const { clock, world, round } = setup();
    world.join('team:a', 'c1', startMs - SUBSCRIBERS_SETTLE_MS);
    await round(['team:a']);
    world.dropSilently('team:a', 'c1');

    clock.advance((SUBSCRIBERS_MAX_AGE_MS - 1) / 1000);
    const kept = await round(['team:a']);
    clock.advance(1 / 1000);
    const reread = await round(['team:a']);

    expect(kept).toEqual(['c1']);
    expect(reread).toEqual([]);
    expect(world.queries).toEqual(['team:a', 'team:a']);
  });

  it('leaves a forgotten connection out of this round and of the lists it keeps', async () => {
    const { clock, world, cache, round } = setup();
    world.join('team:a', 'c1', startMs - SUBSCRIBERS_SETTLE_MS);
    world.join('team:a', 'c2', startMs - SUBSCRIBERS_SETTLE_MS);
    const lookup = await cache.lookupFor(['team:a']);
    await lookup.recipientsOf(['team:a']);

    lookup.forget('c1');
    const now = await lookup.recipientsOf(['team:a']);
    clock.advance(1);
    const next = await round(['team:a']);

    expect([now, next]).toEqual([['c2'], ['c2']]);
    expect(world.queries).toEqual(['team:a']);
  });

  it('reads a channel again when its version is older than the list but new to it (clocks apart)', async () => {
    const { clock, world, round } = setup();
    await round(['team:a']);
    clock.advance(10);

    // The writer's clock runs an hour behind: the change looks older than the cached read.
    world.join('team:a', 'c-new', startMs - 3_600_000);

    expect(await round(['team:a'])).toEqual(['c-new']);
  });

  it('reads a channel again when its version is gone (expired)', async () => {
    const { clock, world, round } = setup();
    world.join('team:a', 'c1', startMs - SUBSCRIBERS_SETTLE_MS);
    await round(['team:a']);
    clock.advance(1);

    world.expireVersion('team:a');
    world.dropSilently('team:a', 'c1');

    expect(await round(['team:a'])).toEqual([]);
  });

  it('keeps at most maxChannels lists, letting the oldest go first', async () => {
    const { clock, world, round } = setup({ maxChannels: 2 });

    await round(['work:1']);
    await round(['work:2']);
    await round(['work:3']);
    clock.advance(1);
    await round(['work:3']);
    await round(['work:2']);
    await round(['work:1']);

    expect(world.queries).toEqual(['work:1', 'work:2', 'work:3', 'work:1']);
  });

  it('reads no versions for a round without channels', async () => {
    const { world, cache } = setup();

    await cache.lookupFor([]);

    expect(world.versionReads).toEqual([]);
  });
});
