/**
 * One thing the page reads from the API (the agents, the queue, ...): reloads asked for while a
 * read runs are folded into one more read, and reads are at least `minGapMs` apart, so a burst
 * of live events costs a couple of requests rather than one each.
 */
export class Resource<T> {
  value: T | undefined;
  error: unknown;
  private readonly listeners = new Set<() => void>();
  private running = false;
  private again = false;
  private lastStart = 0;
  private timer: number | undefined;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly minGapMs = 400,
  ) {}

  /** Calls `listener` after every read, successful or not. */
  subscribe(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** Reads again soon. */
  reload(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastStart + this.minGapMs - Date.now());
    this.timer = window.setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, wait);
  }

  /** Reads now and resolves once done. */
  async run(): Promise<void> {
    this.running = true;
    this.lastStart = Date.now();
    try {
      this.value = await this.load();
      this.error = undefined;
    } catch (error) {
      this.error = error;
    } finally {
      this.running = false;
    }
    for (const listener of this.listeners) listener();
    if (this.again) {
      this.again = false;
      this.reload();
    }
  }
}
