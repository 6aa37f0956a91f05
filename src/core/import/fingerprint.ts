/**
 * An imported record remembers the content it was imported with, as a fingerprint (a hash of
 * its canonical JSON), so importing it again is recognised as the same import even after the
 * record changed through the API, and other content under its id is a conflict.
 */
import type { Agent, WorkItem } from '../model';

/**
 * The stored attribute holding the fingerprint. It lives beside the domain fields: every write
 * spreads the stored record into the next one, so it survives later changes, and presenters
 * list the fields readers see one by one, so it never shows.
 */
export interface ImportMark {
  readonly importFingerprint?: string;
}

/** A record that carries the fingerprint of its import. */
export type Imported<T extends WorkItem | Agent> = T & { readonly importFingerprint: string };

/** The fingerprint a stored record was imported with, or undefined when it was not imported. */
export const importFingerprintOf = (record: WorkItem | Agent): string | undefined =>
  (record as ImportMark).importFingerprint;

const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
  );
};

/**
 * JSON text of a value with every object's keys sorted and `undefined` members left out, so
 * equal content gives equal text whatever order the sender wrote it in. The caller hashes it.
 */
export const canonicalJson = (value: unknown): string => JSON.stringify(canonical(value)) ?? 'null';
