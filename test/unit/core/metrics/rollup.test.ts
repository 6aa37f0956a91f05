import { describe, expect, it } from 'vitest';
import { Action } from '#core/events';
import {
  addHistograms,
  bucketStart,
  countersOf,
  emptyHistogram,
  incrementsOf,
  LATENCY_BUCKETS_MS,
  latencyBucketOf,
  percentile,
  windowBuckets,
  zeroCounters,
} from '#core/metrics/rollup';
import { ActorType } from '#core/roles';
import { anEvent } from '#test/support/builders';

const system = { type: ActorType.System, id: 'system' };
const agent = { type: ActorType.Agent, id: 'builder-1' };

describe('countersOf', () => {
  it('counts claims, completions, failures and escalations', () => {
    expect(countersOf(anEvent({ action: Action.WorkClaimed }))).toEqual({ claims: 1 });
    expect(countersOf(anEvent({ action: Action.WorkCompleted }))).toEqual({ completions: 1 });
    expect(countersOf(anEvent({ action: Action.WorkFailed }))).toEqual({ failures: 1 });
    expect(countersOf(anEvent({ action: Action.Escalation }))).toEqual({ escalations: 1 });
  });

  it('counts a release by the sweeper as a lease expiry, and one by the holder as nothing', () => {
    expect(countersOf(anEvent({ action: Action.WorkReleased, actor: system }))).toEqual({ leaseExpiries: 1 });
    expect(countersOf(anEvent({ action: Action.WorkReleased, actor: agent }))).toEqual({});
  });

  it('counts an escalated item as a lease expiry when the sweeper ended it, else as a failure', () => {
    expect(countersOf(anEvent({ action: Action.WorkEscalated, actor: system }))).toEqual({
      leaseExpiries: 1,
    });
    expect(countersOf(anEvent({ action: Action.WorkEscalated, actor: agent }))).toEqual({ failures: 1 });
  });
});

describe('zeroCounters', () => {
  it('holds every counter at zero', () => {
    expect(zeroCounters()).toStrictEqual({
      claims: 0,
      completions: 0,
      failures: 0,
      conflicts: 0,
      leaseExpiries: 0,
      escalations: 0,
    });
  });
});

describe('incrementsOf', () => {
  it('sums events by the minute they happened in', () => {
    const events = [
      anEvent({ action: Action.WorkClaimed, at: '2026-03-02T09:00:10.000Z' }),
      anEvent({ action: Action.WorkClaimed, at: '2026-03-02T09:00:50.000Z' }),
      anEvent({ action: Action.WorkCompleted, at: '2026-03-02T09:01:00.000Z' }),
      anEvent({ action: Action.WorkCreated, at: '2026-03-02T09:02:00.000Z' }),
    ];

    expect([...incrementsOf(events, 'minute')]).toEqual([
      ['2026-03-02T09:00:00.000Z', { claims: 2 }],
      ['2026-03-02T09:01:00.000Z', { completions: 1 }],
    ]);
    expect([...incrementsOf(events, 'hour')]).toEqual([
      ['2026-03-02T09:00:00.000Z', { claims: 2, completions: 1 }],
    ]);
  });
});

describe('windowBuckets', () => {
  it('covers 15 minutes with 15 minute buckets ending with the current one', () => {
    const buckets = windowBuckets(new Date('2026-03-02T09:14:30.000Z'), '15m');

    expect(buckets).toHaveLength(15);
    expect(buckets[0]?.toISOString()).toBe('2026-03-02T09:00:00.000Z');
    expect(buckets.at(-1)?.toISOString()).toBe('2026-03-02T09:14:00.000Z');
  });

  it('covers seven days with hours', () => {
    const buckets = windowBuckets(new Date('2026-03-09T09:30:00.000Z'), '7d');

    expect(buckets).toHaveLength(168);
    expect(buckets.at(-1)?.toISOString()).toBe(
      bucketStart(new Date('2026-03-09T09:30:00.000Z'), 'hour').toISOString(),
    );
  });
});

describe('latency histogram', () => {
  it('puts a latency in the first bucket whose bound holds it, and past the last bound in the overflow', () => {
    expect(latencyBucketOf(0)).toBe(0);
    expect(latencyBucketOf(5)).toBe(0);
    expect(latencyBucketOf(6)).toBe(1);
    expect(latencyBucketOf(LATENCY_BUCKETS_MS.at(-1) ?? 0)).toBe(LATENCY_BUCKETS_MS.length - 1);
    expect(latencyBucketOf(1e9)).toBe(LATENCY_BUCKETS_MS.length);
  });

  it('has no percentile without samples', () => {
    expect(percentile(emptyHistogram(), 50)).toBeNull();
  });

  it('reads percentiles from the buckets, interpolated inside one', () => {
    const histogram = emptyHistogram();
    histogram[latencyBucketOf(20)] = 90; // 10 < x <= 25
    histogram[latencyBucketOf(400)] = 10; // 250 < x <= 500

    expect(percentile(histogram, 50)).toBe(18);
    expect(percentile(histogram, 90)).toBe(25);
    expect(percentile(histogram, 99)).toBe(475);
  });

  it('starts empty with one bucket per bound and the overflow bucket', () => {
    expect(emptyHistogram()).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(emptyHistogram()).toHaveLength(LATENCY_BUCKETS_MS.length + 1);
    expect(addHistograms([])).toEqual(emptyHistogram());
  });

  it('answers the lower bound of the first bucket with samples for the 0th percentile', () => {
    const histogram = emptyHistogram();
    histogram[latencyBucketOf(20)] = 4; // 10 < x <= 25

    expect(percentile(histogram, 0)).toBe(10);
  });

  it('reads the overflow bucket as reaching twice the last bound', () => {
    const histogram = emptyHistogram();
    histogram[latencyBucketOf(1e9)] = 10;

    expect(percentile(histogram, 50)).toBe(15_000);
    expect(percentile(histogram, 100)).toBe(20_000);
  });

  it('adds histograms bucket by bucket', () => {
    const a = emptyHistogram();
    const b = emptyHistogram();
    a[1] = 2;
    b[1] = 3;
    b[4] = 1;

    const sum = addHistograms([a, b]);

    expect(sum[1]).toBe(5);
    expect(sum[4]).toBe(1);
    expect(sum.reduce((total, count) => total + count, 0)).toBe(6);
  });
});
