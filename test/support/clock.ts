import type { Clock } from '#core/ports';

/** A clock that stands still until a test moves it. */
export interface FixedClock extends Clock {
  /** Moves the clock to `at` (an ISO timestamp). */
  set(at: string): void;
  /** Moves the clock forward by `seconds`. */
  advance(seconds: number): void;
  /** The current time as the ISO string the store keeps. */
  iso(): string;
}

/** A clock fixed at `at`. */
export const fixedClock = (at = '2026-03-02T09:00:00.000Z'): FixedClock => {
  let now = new Date(at);
  return {
    now: () => new Date(now),
    set: (next) => {
      now = new Date(next);
    },
    advance: (seconds) => {
      now = new Date(now.getTime() + seconds * 1000);
    },
    iso: () => now.toISOString(),
  };
};
