/**
 * Shared shapes of an import plan: what will be sent, what was left out and why. Every
 * planned or left-out record points back to its legacy file and position.
 */
import type { ImportAgent, ImportEvent, ImportKind, ImportWork } from './import-records';

/** Where a legacy record came from. */
export interface SourceRef {
  readonly file: string;
  readonly index: number;
  readonly byte: number;
}

/** A record ready to send, with the notes its mapping produced (defaults used, values changed). */
export interface Planned<T> {
  readonly id: string;
  readonly record: T;
  readonly source?: SourceRef;
  readonly notes: readonly string[];
}

/** A legacy record that is not sent, and why. */
export interface NotImported {
  readonly kind: ImportKind;
  readonly id?: string;
  readonly source?: SourceRef;
  /** A short, fixed phrase: reports count records per reason. */
  readonly reason: string;
  /** The specifics of this record (which copy was kept, the parse error). */
  readonly detail?: string;
}

/** Everything an import will send, plus every record it will not, with reasons. */
export interface ImportPlan {
  readonly agents: readonly Planned<ImportAgent>[];
  readonly work: readonly Planned<ImportWork>[];
  readonly events: readonly Planned<ImportEvent>[];
  /** Records that cannot be imported as they are (no id, not an object, no time). */
  readonly rejected: readonly NotImported[];
  /** Records deliberately left out: duplicates, superseded copies, history without an entity. */
  readonly skipped: readonly NotImported[];
}

/** Options of the mapping. */
export interface MapOptions {
  /**
   * Claims an agent at 100 % legacy capacity may hold at once; a percentage scales it.
   * @default 5 (see `DEFAULT_FULL_CAPACITY_CLAIMS`)
   */
  readonly fullCapacityClaims?: number;
}

/** Claims a legacy agent at 100 % capacity may hold at once, unless told otherwise. */
export const DEFAULT_FULL_CAPACITY_CLAIMS = 5;

/** A short description of a JSON value's type, for reasons. */
export const describeType = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;

/** True for a plain JSON object. */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
