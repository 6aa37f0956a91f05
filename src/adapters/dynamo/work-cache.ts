import type { WorkItem } from '#core/model';

/** How many items a process keeps at most (the least recently kept go first). */
export const RECENT_WORK_LIMIT = 2_000;

interface Entry {
  readonly item: WorkItem;
  readonly until: number;
}

/**
 * The work items this process last wrote or read, each for `ttlSeconds`: a holder's progress and
 * completion usually follow its own claim, and can then decide from the copy kept here instead of
 * reading the item first. A kept copy may be stale (another process changed the item since), so
 * it is only ever a guess that a version-conditioned write checks (`WorkRepository.recent`).
 * A newer version is never replaced by an older one; a write that failed forgets its items.
 */
export class RecentWork {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly limit = RECENT_WORK_LIMIT,
    /** Milliseconds of a monotonic clock (real time, not the injected clock a test may freeze). */
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** The kept copy of `id`, unless it is older than the time to keep it. */
  get(id: string): WorkItem | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    if (this.nowMs() < entry.until) return entry.item;
    this.entries.delete(id);
    return undefined;
  }

  /** Keeps `item` as the latest copy of its id, unless a newer version is kept already. */
  keep(item: WorkItem): void {
    if (this.ttlSeconds <= 0) return;
    const kept = this.entries.get(item.id);
    if (kept !== undefined && kept.item.version > item.version) return;
    // Re-inserted, so the map's order is the order of keeping and the first entry the oldest.
    this.entries.delete(item.id);
    this.entries.set(item.id, { item, until: this.nowMs() + this.ttlSeconds * 1000 });
    if (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /** Forgets `id` (a write to it failed, or changed it in place without a new version). */
  forget(id: string): void {
    this.entries.delete(id);
  }

  /** How many copies are kept (for tests and the memory bound). */
  get size(): number {
    return this.entries.size;
  }
}
