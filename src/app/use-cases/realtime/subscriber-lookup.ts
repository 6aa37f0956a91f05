import type { ConnectionStore } from '#core/realtime/ports';

/** Subscribers read per index Query. */
const SUBSCRIBER_PAGE = 500;

/**
 * The subscribers of channels, read once per channel for as long as the lookup lives (one
 * stream batch): every event of a batch that goes to `team:a` shares one read of `team:a`'s
 * subscribers. A connection that subscribes in the middle of a batch gets the next batch's
 * events; a connection found gone is dropped from every later answer.
 */
export interface SubscriberLookup {
  /** Every connection subscribed to any of `channels`, each once. */
  recipientsOf(channels: readonly string[]): Promise<string[]>;
  /** Leaves `connectionId` out of later answers (it was found gone). */
  forget(connectionId: string): void;
}

/**
 * Every connection subscribed to any of `channels`, each once, but those `forgotten`:
 * `subscribersOf` is asked once per distinct channel.
 */
export const recipientsAmong = async (
  channels: readonly string[],
  subscribersOf: (channel: string) => Promise<string[]>,
  forgotten: ReadonlySet<string>,
): Promise<string[]> => {
  const lists = await Promise.all([...new Set(channels)].map(subscribersOf));
  const ids = new Set(lists.flat());
  for (const id of forgotten) ids.delete(id);
  return [...ids];
};

/** A {@link SubscriberLookup} on the connection store's index, to be used for one batch. */
export const subscriberLookup = (connections: Pick<ConnectionStore, 'subscribersOf'>): SubscriberLookup => {
  const byChannel = new Map<string, Promise<string[]>>();
  const forgotten = new Set<string>();

  const read = async (channel: string): Promise<string[]> => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await connections.subscribersOf(channel, {
        limit: SUBSCRIBER_PAGE,
        ...(cursor !== undefined && { cursor }),
      });
      ids.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return ids;
  };

  const subscribersOf = (channel: string): Promise<string[]> => {
    let answer = byChannel.get(channel);
    if (!answer) {
      answer = read(channel);
      // A failed read is not kept: a retry of the batch (or a later event) reads again.
      answer.catch(() => byChannel.delete(channel));
      byChannel.set(channel, answer);
    }
    return answer;
  };

  return {
    recipientsOf: (channels) => recipientsAmong(channels, subscribersOf, forgotten),
    forget(connectionId) {
      forgotten.add(connectionId);
    },
  };
};
