import type { Clock } from '#core/ports';
import type { ChannelVersion, ConnectionStore } from '#core/realtime/ports';
import { recipientsAmong, type SubscriberLookup, subscriberLookup } from './subscriber-lookup';

/**
 * A cached list is trusted only when it was read this long after its channel last changed: the
 * index it is read from (a GSI) may lag its table briefly, so a read right after a change could
 * miss the new subscriber, and caching that read would keep missing it.
 */
export const SUBSCRIBERS_SETTLE_MS = 2000;
/** A cached list is read again after this long whatever its version says. */
export const SUBSCRIBERS_MAX_AGE_MS = 60_000;
/** Channels a cache keeps at most; the oldest entry leaves first. */
export const SUBSCRIBERS_MAX_CHANNELS = 10_000;

/** Tuning of a {@link SubscriberCache}. */
export interface SubscriberCacheOptions {
  /** @default SUBSCRIBERS_SETTLE_MS */
  readonly settleMs?: number;
  /** @default SUBSCRIBERS_MAX_AGE_MS */
  readonly maxAgeMs?: number;
  /** @default SUBSCRIBERS_MAX_CHANNELS */
  readonly maxChannels?: number;
}

/**
 * The subscribers of channels, kept by one process (a Lambda container) across stream batches and
 * checked at the start of each round of sending with one strongly consistent read of the
 * channels' versions (`ConnectionStore.channelVersions`; one store call per 100 channels), so a
 * batch whose channels nobody joined or left reads no subscriber list at all.
 *
 * What a round gets for a channel is the list it would have read from the index itself, with no
 * added delay: a cached list is used only when the channel's version is the one it was read under
 * (every subscribe, unsubscribe, connect and disconnect writes a new version before it is
 * acknowledged, and versions are shared by every process through the store), the list was read at
 * least `settleMs` after that change, and it is younger than `maxAgeMs`. So a connection whose
 * subscribe was acknowledged before a round began gets that round's messages, as without the
 * cache; one acknowledged while a round runs gets the next round's. A connection found gone is
 * left out at once in this process, and its removal changes its channels' versions for the others.
 */
export interface SubscriberCache {
  /**
   * A lookup for one round of sending to `channels` (the channels of every message of the round):
   * reads their versions once. A channel asked for later that was not named here has no version
   * in this round, so it is read from the index (and kept only until a round sees its version).
   * @throws UnavailableError when the store is unavailable.
   */
  lookupFor(channels: readonly string[]): Promise<SubscriberLookup>;
}

interface Entry {
  readonly token: string | undefined;
  readonly readAtMs: number;
  ids: string[];
}

/** A {@link SubscriberCache} over the connection store; make one per process. */
export const subscriberCache = (
  deps: { readonly connections: Pick<ConnectionStore, 'subscribersOf' | 'channelVersions'> } & {
    readonly clock: Clock;
  },
  options: SubscriberCacheOptions = {},
): SubscriberCache => {
  const settleMs = options.settleMs ?? SUBSCRIBERS_SETTLE_MS;
  const maxAgeMs = options.maxAgeMs ?? SUBSCRIBERS_MAX_AGE_MS;
  const maxChannels = options.maxChannels ?? SUBSCRIBERS_MAX_CHANNELS;
  const entries = new Map<string, Entry>();

  const isValid = (entry: Entry | undefined, version: ChannelVersion | undefined, nowMs: number) =>
    entry !== undefined &&
    entry.token === version?.token &&
    nowMs - entry.readAtMs < maxAgeMs &&
    (version === undefined || entry.readAtMs >= version.changedAtMs + settleMs);

  const keep = (channel: string, entry: Entry): void => {
    entries.delete(channel);
    while (entries.size >= maxChannels) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
    entries.set(channel, entry);
  };

  return {
    async lookupFor(channels) {
      // Taken before the versions are read: a list read under these versions is no newer than this.
      const nowMs = deps.clock.now().getTime();
      const named = new Set(channels);
      const versions = named.size === 0 ? new Map() : await deps.connections.channelVersions([...named]);
      const reads = subscriberLookup(deps.connections);
      const forgotten = new Set<string>();
      const subscribersOf = async (channel: string): Promise<string[]> => {
        const version = versions.get(channel);
        const cached = entries.get(channel);
        if (cached && isValid(cached, version, nowMs)) return cached.ids;
        const ids = await reads.recipientsOf([channel]);
        keep(channel, { token: version?.token, readAtMs: nowMs, ids });
        return ids;
      };
      return {
        recipientsOf: (wanted) => recipientsAmong(wanted, subscribersOf, forgotten),
        forget(connectionId) {
          forgotten.add(connectionId);
          reads.forget(connectionId);
          for (const entry of entries.values()) entry.ids = entry.ids.filter((id) => id !== connectionId);
        },
      };
    },
  };
};
