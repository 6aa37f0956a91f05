import { describe, expect, it } from 'vitest';
import { statusPartition, statusShardOf } from '#adapters/dynamo/keys';
import { workToItem } from '#adapters/dynamo/records';
import { workTable } from '#adapters/dynamo/tables';
import { aClaim, aWorkItem } from '#test/support/builders';
import { indexWrites } from '../../../scripts/capacity/cycle';
import { itemSize, readUnits, writeUnits } from '../../../scripts/capacity/item-size';

const SHARDS = 4;

describe('index writes of a stored change', () => {
  it('puts an entry in every index whose key a new item has', () => {
    const item = aWorkItem({ reviewAt: '2026-03-02T10:00:00.000Z' });

    const writes = indexWrites(workTable, undefined, workToItem(item, SHARDS));

    expect(writes.map((write) => write.index).sort()).toEqual(['byStatus', 'ready', 'review']);
  });

  it('deletes and puts an entry whose key changes, and leaves a keys-only entry whose key stays', () => {
    const ready = aWorkItem({ progress: 0 });
    const claimed = { ...ready, status: 'claimed' as const, claim: aClaim('agent-1'), version: 2 };
    const progressed = { ...claimed, status: 'claimed' as const, progress: 40, version: 3 };

    const claim = indexWrites(workTable, workToItem(ready, SHARDS), workToItem(claimed, SHARDS));
    const progress = indexWrites(workTable, workToItem(claimed, SHARDS), workToItem(progressed, SHARDS));

    expect(claim.filter((write) => write.index === 'byStatus').map((write) => write.partition)).toEqual([
      statusPartition('ready', statusShardOf(ready.id)),
      statusPartition('claimed', statusShardOf(ready.id)),
    ]);
    expect(claim.filter((write) => write.index === 'ready')).toHaveLength(1);
    // Same keys: the ALL-projected holder entry is rewritten, the keys-only lease and status entries are not.
    expect(progress.map((write) => write.index).sort()).toEqual(['byHolder']);
  });
});

describe('DynamoDB item sizes and units', () => {
  it('counts attribute names and UTF-8 values', () => {
    expect(itemSize({ pk: 'WORK#1', n: 12345, ok: true, tags: ['ab', 'c'] })).toBe(
      2 + 6 + (1 + 4) + (2 + 1) + (4 + 3 + 3 + 2),
    );
  });

  it('charges a write per started KB and a read per started 4 KB, half when eventually consistent', () => {
    expect([writeUnits(1), writeUnits(1024), writeUnits(1025)]).toEqual([1, 1, 2]);
    expect([readUnits(4096, true), readUnits(4097, true), readUnits(4097, false)]).toEqual([1, 2, 1]);
  });
});
