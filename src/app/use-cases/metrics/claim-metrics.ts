import { bucketStart, type Granularity, latencyBucketOf } from '#core/metrics/rollup';
import type { MetricsPorts } from './deps';

/** Buffered claim outcomes are written at most this often per process. */
export const CLAIM_METRICS_FLUSH_MS = 1000;

interface Pending {
  conflicts: number;
  latency: Record<number, number>;
}

/**
 * Claim request latency and conflicts (a lost race leaves no audit event, so the claim routes
 * report them here). Outcomes are summed in memory per minute and hour and written with one
 * `ADD` per bucket at most once a second, so a busy claim path does not write one row per call;
 * what a process holds when it stops is lost (these are estimates).
 */
export class ClaimMetrics {
  private readonly pending = new Map<string, Pending>();
  private lastFlushMs = 0;

  constructor(private readonly deps: MetricsPorts) {}

  /** Records one claim call. */
  record(at: Date, latencyMs: number, isConflict: boolean): void {
    for (const granularity of ['minute', 'hour'] as const) {
      const key = `${granularity}|${bucketStart(at, granularity).toISOString()}`;
      const entry = this.pending.get(key) ?? { conflicts: 0, latency: {} };
      if (isConflict) entry.conflicts += 1;
      const bucket = latencyBucketOf(latencyMs);
      entry.latency[bucket] = (entry.latency[bucket] ?? 0) + 1;
      this.pending.set(key, entry);
    }
  }

  /** Writes what is pending when the last write is older than a second (or always, with `force`). */
  async flush(now: Date, force = false): Promise<void> {
    if (this.pending.size === 0) return;
    if (!force && now.getTime() - this.lastFlushMs < CLAIM_METRICS_FLUSH_MS) return;
    this.lastFlushMs = now.getTime();
    const entries = [...this.pending];
    this.pending.clear();
    await Promise.all(
      entries.map(([key, entry]) => {
        const [granularity, at] = key.split('|') as [Granularity, string];
        return this.deps.metrics.add(granularity, at, {
          counters: entry.conflicts > 0 ? { conflicts: entry.conflicts } : {},
          latency: entry.latency,
        });
      }),
    );
  }
}
