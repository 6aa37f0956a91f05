import { ValidationError } from '#core/errors';
import { canonicalJson } from '#core/import/fingerprint';
import type { ImportKind } from '#core/import/records';
import type { Ports } from '#core/ports';
import type { ImportTally } from './tally';

/** Checks of one record per kind: each returns the record (defaults filled in) or throws `ValidationError`. */
export type RecordChecks = Readonly<Record<ImportKind, (record: unknown) => unknown>>;

/** A record that passed its kind's schema, with its place in the body and its content fingerprint. */
export interface CheckedRecord<T> {
  readonly index: number;
  readonly record: T;
  readonly fingerprint: string;
}

/** The id a raw record names (for reports), if it names one. */
const idOf = (kind: ImportKind, raw: unknown): string | undefined => {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const value = (raw as Record<string, unknown>)[kind === 'events' ? 'entityId' : 'id'];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/**
 * Largest record, as JSON in UTF-8, an import takes: the store keeps items of up to 400 KB, and a
 * record is stored as its item and again in its audit event's snapshot, with keys and indexes.
 */
export const IMPORT_MAX_RECORD_BYTES = 256 * 1024;

const sizeProblem = (record: unknown): ValidationError | undefined => {
  const bytes = new TextEncoder().encode(JSON.stringify(record)).length;
  if (bytes <= IMPORT_MAX_RECORD_BYTES) return undefined;
  return new ValidationError([
    {
      path: '',
      message: `is ${bytes} bytes; one record may take at most ${IMPORT_MAX_RECORD_BYTES} bytes (the store's item limit, with its history)`,
    },
  ]);
};

const reasonOf = (error: ValidationError): string => {
  const errors = (error.details.errors ?? []) as readonly { path: string; message: string }[];
  return errors.map(({ path, message }) => `${path || '(record)'}: ${message}`).join('; ') || error.message;
};

/**
 * The records of one kind that fit one stored item and pass its schema, each with the fingerprint of its content; each
 * one that does not is rejected in `tally` with every bad field named. A check failing in
 * another way (a bug, not the record) is not caught.
 */
export const checkRecords = <T>(
  deps: Pick<Ports, 'hasher'> & { readonly checks: RecordChecks },
  kind: ImportKind,
  records: readonly unknown[] | undefined,
  tally: ImportTally,
): CheckedRecord<T>[] =>
  (records ?? []).flatMap((raw, index) => {
    try {
      const tooLarge = sizeProblem(raw);
      if (tooLarge) throw tooLarge;
      const record = deps.checks[kind](raw) as T;
      return [{ index, record, fingerprint: deps.hasher.hash(canonicalJson(record)) }];
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      tally.reject(kind, index, idOf(kind, raw), reasonOf(error));
      return [];
    }
  });
