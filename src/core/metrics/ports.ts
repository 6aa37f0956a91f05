import type { Granularity, Rollup, RollupIncrement } from './rollup';

/** Where rollups are kept (with TTL), and the throttle of the live `metrics` message. */
export interface MetricsStore {
  /** Adds counters and histogram counts to the rollup of the bucket starting at `at`. */
  add(granularity: Granularity, at: string, increment: RollupIncrement): Promise<void>;
  /** The rollups of the given bucket starts (missing ones are left out). */
  get(granularity: Granularity, starts: readonly string[]): Promise<Rollup[]>;
  /** Whether the minute starting at `at` has its queue depth snapshot yet. */
  hasDepth(at: string): Promise<boolean>;
  /** Records the queue depth snapshot of a minute once (a later call leaves the first). */
  setDepth(at: string, depth: Readonly<Record<string, Readonly<Record<string, number>>>>): Promise<void>;
  /**
   * Takes the right to send the live `metrics` message now: `true` when none was sent in the last
   * `intervalMs` (shared by every process, so at most one message per interval).
   */
  claimPush(now: Date, intervalMs: number): Promise<boolean>;
}
