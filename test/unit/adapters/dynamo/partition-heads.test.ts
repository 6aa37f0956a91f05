import { describe, expect, it } from 'vitest';
import { HEAD_MARGIN, headSize, type PartitionPage, topOfPartitions } from '#adapters/dynamo/partition-heads';

/** Sorted partitions of `{ k }` entries, read a page at a time; every read is recorded. */
const partitionsOf = (contents: Record<string, readonly string[]>) => {
  const reads: { partition: string; limit: number; from: number }[] = [];
  const page: PartitionPage = async (partition, limit, startKey) => {
    const sorted = [...(contents[partition] ?? [])].sort();
    const from = startKey === undefined ? 0 : Number(startKey.at) + 1;
    reads.push({ partition, limit, from });
    const items = sorted.slice(from, from + limit).map((k) => ({ k }));
    const last = from + items.length - 1;
    // Like DynamoDB, a full page says there may be more, even when nothing is left.
    return items.length === limit ? { items, next: { at: last } } : { items };
  };
  return { page, reads };
};

const keys = (entries: readonly Record<string, unknown>[]) => entries.map((entry) => entry.k);

describe('topOfPartitions', () => {
  it('returns the first entries of all partitions in key order, reading each partition’s head', async () => {
    const contents = { a: ['01', '05', '09', '13'], b: ['02', '06', '10'], c: ['03', '07', '11', '15'] };
    const { page, reads } = partitionsOf(contents);

    const top = await topOfPartitions(page, ['a', 'b', 'c'], 'k', 5);

    expect(keys(top)).toEqual(['01', '02', '03', '05', '06']);
    expect(reads.filter((read) => read.from === 0).map((read) => read.limit)).toEqual([
      headSize(5, 3),
      headSize(5, 3),
      headSize(5, 3),
    ]);
  });

  it('reads again only the partition that holds more of the top than its head, in one more round', async () => {
    const crowded = Array.from({ length: 20 }, (_, index) => `a${String(index).padStart(2, '0')}`);
    const contents = { a: crowded, b: ['b1', 'b2'], c: ['c1'], d: ['d1', 'd2', 'd3'] };
    const { page, reads } = partitionsOf(contents);

    const top = await topOfPartitions(page, ['a', 'b', 'c', 'd'], 'k', 12);

    expect(keys(top)).toEqual(crowded.slice(0, 12));
    const again = reads.filter((read) => read.from > 0);
    expect(again.map((read) => read.partition)).toEqual(['a']);
    expect(again[0]?.limit).toBe(12 - headSize(12, 4));
  });

  it('returns fewer entries than the limit when all partitions together hold fewer', async () => {
    const { page } = partitionsOf({ a: ['3', '1'], b: [], c: ['2'] });

    expect(keys(await topOfPartitions(page, ['a', 'b', 'c'], 'k', 10))).toEqual(['1', '2', '3']);
  });

  it('returns nothing for a zero limit or no partitions, without reading', async () => {
    const { page, reads } = partitionsOf({ a: ['1'] });

    expect(await topOfPartitions(page, ['a'], 'k', 0)).toEqual([]);
    expect(await topOfPartitions(page, [], 'k', 3)).toEqual([]);
    expect(reads).toEqual([]);
  });

  it('asks each of many partitions for its share plus a margin, and one partition for all', () => {
    expect(headSize(25, 16)).toBe(2 + HEAD_MARGIN);
    expect(headSize(25, 4)).toBe(7 + HEAD_MARGIN);
    expect(headSize(25, 1)).toBe(25);
    expect(headSize(3, 2)).toBe(3);
  });
});
