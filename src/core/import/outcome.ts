import type { Agent, WorkItem } from '../model';
import type { Change } from '../ports';
import { importFingerprintOf } from './fingerprint';

/** What importing one record comes to. */
export type ImportDecision =
  /** New: commit `change` (the record and its audit event). */
  | { readonly outcome: 'created'; readonly change: Change }
  /** Already there with the same content (or the same history event): nothing to write. */
  | { readonly outcome: 'unchanged' }
  /** The id exists with other content, which an import never overwrites. */
  | { readonly outcome: 'conflict'; readonly reason: string }
  /** The record cannot be imported as it is (its own fields, or what it names, do not fit). */
  | { readonly outcome: 'rejected'; readonly reason: string };

/** The decision `unchanged`. */
export const UNCHANGED: ImportDecision = { outcome: 'unchanged' };

/** A rejection for `reason`. */
export const rejected = (reason: string): ImportDecision => ({ outcome: 'rejected', reason });

/**
 * The decision for an id that is already stored: `unchanged` when it was imported with the
 * same content (whatever happened to it since), else a conflict saying why.
 */
export const decideExisting = (
  existing: WorkItem | Agent,
  fingerprint: string,
  entity: 'agent' | 'work item',
): ImportDecision => {
  const stored = importFingerprintOf(existing);
  if (stored === fingerprint) return UNCHANGED;
  return {
    outcome: 'conflict',
    reason:
      stored === undefined
        ? `${entity} ${existing.id} exists and was not imported; an import never overwrites it`
        : `${entity} ${existing.id} was imported with other content; an import never overwrites it`,
  };
};
