/**
 * Arithmetic on the ISO 8601 timestamps the domain stores. Parsing a given string is pure;
 * the current time always comes in as an argument (from the injected `Clock`).
 */

const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60 * MS_PER_SECOND;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;

/** Milliseconds since the epoch of an ISO timestamp or a date. */
export const epochMs = (at: string | Date): number =>
  typeof at === 'string' ? Date.parse(at) : at.getTime();

/** The ISO timestamp `seconds` after `at`. */
export const addSeconds = (at: string | Date, seconds: number): string =>
  new Date(epochMs(at) + seconds * MS_PER_SECOND).toISOString();

/** Seconds from `from` to `to` (negative when `to` is earlier). */
export const secondsBetween = (from: string | Date, to: string | Date): number =>
  (epochMs(to) - epochMs(from)) / MS_PER_SECOND;

/** Minutes from `from` to `to` (negative when `to` is earlier). */
export const minutesBetween = (from: string | Date, to: string | Date): number =>
  (epochMs(to) - epochMs(from)) / MS_PER_MINUTE;

/** Hours from `from` to `to` (negative when `to` is earlier). */
export const hoursBetween = (from: string | Date, to: string | Date): number =>
  (epochMs(to) - epochMs(from)) / MS_PER_HOUR;

/** Whether `at` lies strictly before `reference`. */
export const isBefore = (at: string | Date, reference: string | Date): boolean =>
  epochMs(at) < epochMs(reference);

/** `now` as the ISO string the store keeps. */
export const iso = (now: Date): string => now.toISOString();
