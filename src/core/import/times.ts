import { epochMs } from '../time';

/** A source timestamp in the one UTC form the store keeps (the instant is unchanged). */
export const storedTime = (at: string): string => new Date(epochMs(at)).toISOString();

/** The latest of some timestamps, in stored form. */
export const latestOf = (first: string, ...more: readonly string[]): string =>
  storedTime([first, ...more].reduce((latest, at) => (epochMs(at) > epochMs(latest) ? at : latest)));
