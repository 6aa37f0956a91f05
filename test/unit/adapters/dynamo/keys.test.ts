import { describe, expect, it } from 'vitest';
import {
  AgentIndex,
  agentKey,
  agentSortKey,
  agentTeamPartition,
  DAY_SHARDS,
  dayOf,
  dayShardOf,
  EventIndex,
  eventActorPartition,
  eventAgentPartition,
  eventDayPartition,
  eventDayPartitions,
  eventKey,
  eventPartition,
  eventSortKey,
  eventTimeCeiling,
  eventTimeKey,
  holderPartition,
  holderSortKey,
  idempotencyKey,
  invertedRank,
  LEASE_BUCKETS,
  LEASE_READ_BUCKETS,
  leaseBucketOf,
  leasePartition,
  leaseSortKey,
  PREVIOUS_LEASE_BUCKETS,
  PREVIOUS_REVIEW_BUCKETS,
  paddedSeq,
  REVIEW_BUCKETS,
  REVIEW_READ_BUCKETS,
  readyPartition,
  readySortKey,
  reviewBucketOf,
  settingsKey,
  shardOf,
  sortableTime,
  stableHash,
  statusPartition,
  statusSortKey,
  statusTeamPrefix,
  teamsKey,
  tokenKey,
  WorkIndex,
  workKey,
} from '#adapters/dynamo/keys';

const sorted = (values: readonly string[]): string[] => [...values].sort();

describe('work keys', () => {
  it('keys a work item by its id', () => {
    expect(workKey('wi_1')).toEqual({ pk: 'WORK#wi_1' });
  });

  it('names the ready partition by team and shard', () => {
    expect(readyPartition('core', 3)).toBe('READY#core#3');
  });

  it('orders ready sort keys most urgent first, in ascending string order', () => {
    const at = '2026-01-01T00:00:00.000Z';
    const keys = [readySortKey(250, at, 'b'), readySortKey(1200.5, at, 'c'), readySortKey(9, at, 'a')];

    expect(sorted(keys)).toEqual([keys[1], keys[0], keys[2]]);
  });

  it('zero-pads the rank so that a one-digit urgency sorts after a four-digit one', () => {
    const at = '2026-01-01T00:00:00.000Z';

    expect(invertedRank(9)).toHaveLength(invertedRank(3100).length);
    expect(readySortKey(3100, at, 'x') < readySortKey(9, at, 'x')).toBe(true);
    expect(readySortKey(100, at, 'x') < readySortKey(99.99, at, 'x')).toBe(true);
    expect(readySortKey(99_999_999.94, at, 'x') < readySortKey(99_999_999.89, at, 'x')).toBe(true);
  });

  it('keeps two decimals of urgency in the rank', () => {
    expect(invertedRank(200.01)).not.toBe(invertedRank(200.02));
    expect(invertedRank(200.02) < invertedRank(200.01)).toBe(true);
  });

  it('orders equal urgency by creation time, older first, then by id', () => {
    const keys = [
      readySortKey(300, '2026-01-02T00:00:00.000Z', 'a'),
      readySortKey(300, '2026-01-01T00:00:00.000Z', 'b'),
      readySortKey(300, '2026-01-01T00:00:00.000Z', 'a'),
    ];

    expect(sorted(keys)).toEqual([keys[2], keys[1], keys[0]]);
  });

  it('clamps ranks outside the representable range instead of breaking the order', () => {
    expect(invertedRank(-5)).toBe(invertedRank(0));
    expect(invertedRank(1e12)).toBe('0000000000');
  });

  it('names lease partitions by bucket and orders their sort keys by expiry', () => {
    const early = leaseSortKey('2026-01-01T00:05:00.000Z', 'z');
    const late = leaseSortKey('2026-01-01T00:10:00.000Z', 'a');

    expect(leasePartition(2)).toBe('LEASE#2');
    expect(early < late).toBe(true);
    expect(early < '2026-01-01T00:05:00.001Z').toBe(true);
    expect(early < '2026-01-01T00:05:00.000Z').toBe(false);
  });

  it('puts every item in a lease bucket within range', () => {
    const buckets = new Set(Array.from({ length: 1000 }, (_, i) => leaseBucketOf(`wi_${i}`)));

    expect([...buckets].every((bucket) => bucket >= 0 && bucket < LEASE_BUCKETS)).toBe(true);
    expect(buckets.size).toBe(LEASE_BUCKETS);
  });

  it('has the sweeper read every bucket of the current and the previous bucket count', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `wi_${i}`);

    expect(REVIEW_READ_BUCKETS).toBe(Math.max(REVIEW_BUCKETS, PREVIOUS_REVIEW_BUCKETS));
    for (const id of ids) {
      expect(reviewBucketOf(id, PREVIOUS_REVIEW_BUCKETS)).toBeLessThan(REVIEW_READ_BUCKETS);
      expect(reviewBucketOf(id)).toBeLessThan(REVIEW_READ_BUCKETS);
    }

    expect(LEASE_READ_BUCKETS).toBe(Math.max(LEASE_BUCKETS, PREVIOUS_LEASE_BUCKETS));
    for (const id of ids) {
      expect(leaseBucketOf(id, PREVIOUS_LEASE_BUCKETS)).toBeLessThan(LEASE_READ_BUCKETS);
      expect(leaseBucketOf(id)).toBeLessThan(LEASE_READ_BUCKETS);
    }
  });

  it('keys the status index by status, then team and creation time', () => {
    const key = statusSortKey('core', '2026-01-01T00:00:00.000Z', 'wi_1');

    expect(statusPartition('ready')).toBe('STATUS#ready');
    expect(key).toBe('core#2026-01-01T00:00:00.000Z#wi_1');
    expect(key.startsWith(statusTeamPrefix('core'))).toBe(true);
    expect(key.startsWith(statusTeamPrefix('cor'))).toBe(false);
  });

  it('keys the holder index by agent, then claim time', () => {
    expect(holderPartition('agent-1')).toBe('HOLDER#agent-1');
    expect(holderSortKey('2026-01-01T00:00:00Z', 'wi_1')).toBe('2026-01-01T00:00:00.000Z#wi_1');
  });

  it('reads index attribute names from the table definitions', () => {
    expect(WorkIndex.ready).toEqual({ indexName: 'ready', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' });
    expect(WorkIndex.leases.indexName).toBe('leaseKeys');
    expect(AgentIndex.byTeam.indexName).toBe('byTeam');
    expect(EventIndex.byDay.indexName).toBe('byDay');
  });
});

describe('shards', () => {
  it('hashes a string to the same number every time', () => {
    expect(stableHash('wi_01J0000000000000000000000')).toBe(stableHash('wi_01J0000000000000000000000'));
    expect(stableHash('a')).not.toBe(stableHash('b'));
  });

  it('spreads ids over every shard and stays within range', () => {
    const shards = Array.from({ length: 400 }, (_, i) => shardOf(`wi_${i}`, 4));

    expect(new Set(shards)).toEqual(new Set([0, 1, 2, 3]));
  });

  it('puts everything in shard 0 when there is one shard', () => {
    expect(shardOf('anything', 1)).toBe(0);
    expect(shardOf('anything', 0)).toBe(0);
  });
});

describe('agent keys', () => {
  it('keys an agent by id and indexes it by team and id', () => {
    expect(agentKey('agent-1')).toEqual({ pk: 'AGENT#agent-1' });
    expect(agentTeamPartition('core')).toBe('TEAM#core');
    expect(agentSortKey('agent-1')).toBe('agent-1');
  });
});

describe('event keys', () => {
  it('keys an event by entity and zero-padded sequence, unique per (entity, seq)', () => {
    expect(eventKey('work', 'wi_1', 7)).toEqual({ pk: 'ENTITY#wi_1', sk: 'work#000000000007' });
    expect(eventPartition('wi_1')).toBe('ENTITY#wi_1');
    expect(eventSortKey('work', 7)).not.toBe(eventSortKey('agent', 7));
  });

  it('orders sequence numbers numerically as strings', () => {
    const keys = [eventSortKey('work', 10), eventSortKey('work', 9), eventSortKey('work', 100)];

    expect(sorted(keys)).toEqual([keys[1], keys[0], keys[2]]);
    expect(paddedSeq(42)).toBe('000000000042');
  });

  it('names day, agent and actor partitions', () => {
    expect(eventDayPartition('2026-01-01')).toBe('DAY#2026-01-01');
    expect(eventDayPartition('2026-01-01', 7)).toBe('DAY#2026-01-01#7');
    expect(eventDayPartitions('2026-01-01')).toHaveLength(DAY_SHARDS + 1);
    expect(eventDayPartitions('2026-01-01').at(-1)).toBe('DAY#2026-01-01');
    expect(dayShardOf('wi_1')).toBe(dayShardOf('wi_1'));
    expect(dayShardOf('wi_1')).toBeLessThan(DAY_SHARDS);
    expect(eventAgentPartition('agent-1')).toBe('AGENT#agent-1');
    expect(eventActorPartition('admin')).toBe('ACTOR#admin');
  });

  it('orders time keys by time, then identity', () => {
    const keys = [
      eventTimeKey('2026-01-01T00:00:01.000Z', 'work', 'wi_1', 2),
      eventTimeKey('2026-01-01T00:00:00.000Z', 'work', 'wi_2', 1),
      eventTimeKey('2026-01-01T00:00:01.000Z', 'work', 'wi_1', 10),
    ];

    expect(sorted(keys)).toEqual([keys[1], keys[0], keys[2]]);
  });

  it('bounds every time key of an instant from above, and none of a later instant', () => {
    const ceiling = eventTimeCeiling('2026-01-01T10:00:00Z');

    expect(eventTimeKey('2026-01-01T10:00:00.000Z', 'work', 'zzz', 999) < ceiling).toBe(true);
    expect(eventTimeKey('2026-01-01T10:00:00.001Z', 'work', 'a', 1) < ceiling).toBe(false);
  });
});

describe('meta keys', () => {
  it('keys tokens, idempotency records, settings and teams apart', () => {
    const keys = [tokenKey('t1'), idempotencyKey('t1'), settingsKey(), teamsKey()].map((key) => key.pk);

    expect(keys).toEqual(['TOKEN#t1', 'IDEMPOTENCY#t1', 'SETTINGS', 'TEAMS']);
  });
});

describe('time', () => {
  it('writes every timestamp in the one sortable ISO form', () => {
    expect(sortableTime('2026-01-01T10:00:00Z')).toBe('2026-01-01T10:00:00.000Z');
    expect(sortableTime('2026-01-01T12:00:00+02:00')).toBe('2026-01-01T10:00:00.000Z');
    expect(sortableTime('not a date')).toBe('not a date');
  });

  it('gives the UTC day of a timestamp', () => {
    expect(dayOf('2026-01-01T23:30:00-02:00')).toBe('2026-01-02');
  });
});
