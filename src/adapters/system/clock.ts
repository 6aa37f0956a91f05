import type { Clock } from '#core/ports';

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };
