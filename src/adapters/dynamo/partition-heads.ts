import type { StoredItem } from './query';

/** Entries read past a partition's share of the top, so that a partition rarely needs a second read. */
export const HEAD_MARGIN = 4;

/**
 * Entries asked of each of `partitions` partitions for the top `limit` of all of them: its share
 * plus {@link HEAD_MARGIN} (hashed shards fill evenly, so a shard seldom holds more of the top),
 * and all of `limit` when there is one partition.
 */
export const headSize = (limit: number, partitions: number): number =>
  partitions <= 1 ? limit : Math.min(limit, Math.ceil(limit / partitions) + HEAD_MARGIN);

/** Orders stored entries by one string attribute, ascending. */
export const bySortKey =
  (attribute: string) =>
  (a: StoredItem, b: StoredItem): number => {
    const left = String(a[attribute]);
    const right = String(b[attribute]);
    if (left === right) return 0;
    return left < right ? -1 : 1;
  };

/** One page of a partition, from `startKey` when given. */
export type PartitionPage = (
  partition: string,
  limit: number,
  startKey?: Record<string, unknown>,
) => Promise<{ readonly items: StoredItem[]; readonly next?: Record<string, unknown> }>;

interface Head {
  readonly partition: string;
  entries: StoredItem[];
  next: Record<string, unknown> | undefined;
}

/**
 * The first `limit` entries, in `sortKey` order, of partitions each sorted by that unique key,
 * reading only their heads: each partition is asked for {@link headSize} entries, then only a
 * partition whose last entry read is still inside the merged top `limit` (its unread entries
 * could be too) is asked for the slots left behind it. Exact: once no partition is asked again,
 * every unread entry ranks after its partition's last entry read, which ranks after the top.
 * At most two rounds: a partition read again either ends or fills the top up to its last entry.
 */
export const topOfPartitions = async (
  read: PartitionPage,
  partitions: readonly string[],
  sortKey: string,
  limit: number,
): Promise<StoredItem[]> => {
  if (limit <= 0 || partitions.length === 0) return [];
  const first = headSize(limit, partitions.length);
  const heads: Head[] = await Promise.all(
    partitions.map(async (partition) => {
      const page = await read(partition, first);
      return { partition, entries: [...page.items], next: page.next };
    }),
  );
  const order = bySortKey(sortKey);
  for (;;) {
    const merged = heads.flatMap((head) => head.entries).sort(order);
    const bound = merged.length >= limit ? merged[limit - 1] : undefined;
    const wanting = heads.flatMap((head) => {
      if (head.next === undefined) return [];
      const last = head.entries.at(-1);
      if (bound !== undefined && last !== undefined && order(last, bound) >= 0) return [];
      // Entries ranking up to the head's last one: the head's unread entries come after them all.
      const ahead = last === undefined ? 0 : merged.filter((entry) => order(entry, last) <= 0).length;
      return [{ head, slots: limit - ahead }];
    });
    if (wanting.length === 0) return merged.slice(0, limit);
    await Promise.all(
      wanting.map(async ({ head, slots }) => {
        const page = await read(head.partition, slots, head.next);
        head.entries.push(...page.items);
        head.next = page.next;
      }),
    );
  }
};
