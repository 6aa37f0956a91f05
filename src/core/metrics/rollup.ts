/**
 * Per-minute (and per-hour) rollups of what the service did: counters taken from audit events,
 * a claim latency histogram, and queue depth snapshots. Pure rules: which event counts as what,
 * the histogram's buckets, percentiles from a histogram, and the buckets a time window covers.
 */
import { Action } from '../events';
import type { AuditEvent } from '../model';
import { ActorType } from '../roles';

/** Counters a rollup keeps. */
export const COUNTERS = [
  'claims',
  'completions',
  'failures',
  'conflicts',
  'leaseExpiries',
  'escalations',
] as const;

/** A rollup counter. */
export type Counter = (typeof COUNTERS)[number];

/** Upper bounds (ms, inclusive) of the claim latency histogram's buckets; a last bucket takes the rest. */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000] as const;

/** Counts per histogram bucket, index-aligned with {@link LATENCY_BUCKETS_MS} plus the overflow bucket. */
export type Histogram = readonly number[];

/** What a batch adds to one rollup. */
export interface RollupIncrement {
  readonly counters: Partial<Record<Counter, number>>;
  /** Bucket index -> count. */
  readonly latency?: Readonly<Record<number, number>>;
}

/** A rollup as read: counters, histogram, and the queue depth seen in its first moments. */
export interface Rollup {
  /** Start of the bucket (ISO). */
  readonly at: string;
  readonly counters: Record<Counter, number>;
  readonly latency: Histogram;
  /** Work items per team and status, when a snapshot was taken in this bucket. */
  readonly depth?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** Rollup granularities: minutes for short windows, hours for long ones. */
export type Granularity = 'minute' | 'hour';

/** The windows of `GET /v1/metrics/summary`. */
export const WINDOWS = {
  '15m': { minutes: 15, granularity: 'minute' },
  '1h': { minutes: 60, granularity: 'minute' },
  '24h': { minutes: 24 * 60, granularity: 'hour' },
  '7d': { minutes: 7 * 24 * 60, granularity: 'hour' },
} as const satisfies Record<string, { minutes: number; granularity: Granularity }>;

/** A summary window. */
export type MetricsWindow = keyof typeof WINDOWS;

const MS: Record<Granularity, number> = { minute: 60_000, hour: 3_600_000 };

/** The start of the bucket holding `at`. */
export const bucketStart = (at: Date, granularity: Granularity): Date =>
  new Date(Math.floor(at.getTime() / MS[granularity]) * MS[granularity]);

/** The bucket starts a window ending at `now` covers, oldest first (the current bucket included). */
export const windowBuckets = (now: Date, window: MetricsWindow): Date[] => {
  const { minutes, granularity } = WINDOWS[window];
  const step = MS[granularity];
  const count = Math.ceil((minutes * 60_000) / step);
  const last = bucketStart(now, granularity).getTime();
  return Array.from({ length: count }, (_, index) => new Date(last - (count - 1 - index) * step));
};

/** The histogram bucket of a latency. */
export const latencyBucketOf = (ms: number): number => {
  const index = LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound);
  return index === -1 ? LATENCY_BUCKETS_MS.length : index;
};

/** An empty histogram. */
export const emptyHistogram = (): number[] => Array.from({ length: LATENCY_BUCKETS_MS.length + 1 }, () => 0);

/** Histograms added bucket by bucket. */
export const addHistograms = (histograms: readonly Histogram[]): number[] => {
  const sum = emptyHistogram();
  for (const histogram of histograms) {
    for (const [index, count] of histogram.entries()) sum[index] = (sum[index] ?? 0) + count;
  }
  return sum;
};

/**
 * The `p`-th percentile (0..100) of a histogram, in ms, interpolated inside its bucket; `null`
 * without samples. Samples in the overflow bucket count as twice the last bound.
 */
export const percentile = (histogram: Histogram, p: number): number | null => {
  const total = histogram.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const rank = (p / 100) * total;
  let seen = 0;
  for (let index = 0; index < histogram.length; index++) {
    const count = histogram[index] ?? 0;
    if (count > 0 && seen + count >= rank) {
      const lower = index === 0 ? 0 : (LATENCY_BUCKETS_MS[index - 1] ?? 0);
      const upper = LATENCY_BUCKETS_MS[index] ?? lower * 2;
      return Math.round(lower + ((rank - seen) / count) * (upper - lower));
    }
    seen += count;
  }
  return LATENCY_BUCKETS_MS.at(-1) ?? 0;
};

/** Whether the system (the sweeper) ended a claim: a lease expiry. */
const bySystem = (event: AuditEvent): boolean => event.actor.type === ActorType.System;

/** What one audit event adds to the counters (a lost claim race leaves no event: see conflicts). */
export const countersOf = (event: AuditEvent): Partial<Record<Counter, number>> => {
  switch (event.action) {
    case Action.WorkClaimed:
      return { claims: 1 };
    case Action.WorkCompleted:
      return { completions: 1 };
    case Action.WorkFailed:
      return { failures: 1 };
    case Action.WorkReleased:
      return bySystem(event) ? { leaseExpiries: 1 } : {};
    case Action.WorkEscalated:
      return bySystem(event) ? { leaseExpiries: 1 } : { failures: 1 };
    case Action.Escalation:
      return { escalations: 1 };
    default:
      return {};
  }
};

/** The counters of many events, by the start of their bucket. */
export const incrementsOf = (
  events: readonly AuditEvent[],
  granularity: Granularity,
): Map<string, Partial<Record<Counter, number>>> => {
  const byBucket = new Map<string, Partial<Record<Counter, number>>>();
  for (const event of events) {
    const counters = countersOf(event);
    if (Object.keys(counters).length === 0) continue;
    const key = bucketStart(new Date(event.at), granularity).toISOString();
    const sum = { ...byBucket.get(key) };
    for (const [name, amount] of Object.entries(counters) as [Counter, number][]) {
      sum[name] = (sum[name] ?? 0) + amount;
    }
    byBucket.set(key, sum);
  }
  return byBucket;
};

/** Counters all zero. */
export const zeroCounters = (): Record<Counter, number> =>
  Object.fromEntries(COUNTERS.map((name) => [name, 0])) as Record<Counter, number>;
