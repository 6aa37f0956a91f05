import { UnavailableError } from '#core/errors';
import { type Change, type FailedWrite, type UnitOfWork, WriteConflict } from '#core/ports';

/** How often a use case re-decides after losing a conditional write before answering 503. */
export const MAX_DECISION_ATTEMPTS = 8;

/** What one decision yields: a change to commit and the answer once it is committed, or an answer with nothing to write. */
export type Step<R> =
  | { readonly change: Change; readonly result: R }
  | { readonly result: R; readonly change?: undefined };

/**
 * Decide, commit, and on a lost conditional write decide again from what won, up to
 * `maxAttempts` times. `reconcile` turns the conflict into the next state, preferably from
 * `failed[].current` (no second read). Domain errors thrown by `decide` or `reconcile` pass
 * through; a `WriteConflict` never escapes.
 * @throws UnavailableError when every attempt lost (sustained contention).
 */
export const decideAndCommit = async <S, R>(
  uow: UnitOfWork,
  initial: S,
  decide: (state: S) => Step<R>,
  reconcile: (conflict: WriteConflict, state: S) => Promise<S>,
  maxAttempts = MAX_DECISION_ATTEMPTS,
): Promise<R> => {
  let state = initial;
  let lastConflict: WriteConflict | undefined;
  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    const step = decide(state);
    if (!step.change) return step.result;
    try {
      await uow.commit(step.change);
      return step.result;
    } catch (error) {
      if (!(error instanceof WriteConflict)) throw error;
      lastConflict = error;
      state = await reconcile(error, state);
    }
  }
  throw new UnavailableError('Too many concurrent changes to the same records; retry shortly.', {
    cause: lastConflict,
  });
};

type Kind = FailedWrite['kind'];

/** Whether a failed write says nothing about what is stored (a transaction conflict, an event key). */
const isOpaque = (failed: FailedWrite): boolean => !('current' in failed) || failed.current === undefined;

/**
 * The record a conflict reports for `kind`/`id`: its `current` when the failed write carries it,
 * a fresh read when the conflict does not say (no current, or an opaque failure elsewhere), and
 * `known` when the conflict was about other records only.
 */
export const refreshed = async <T>(
  conflict: WriteConflict,
  kinds: readonly Kind[],
  id: string,
  known: T,
  reread: () => Promise<T>,
): Promise<T> => {
  const entry = conflict.failed.find((f) => kinds.includes(f.kind) && (!('id' in f) || f.id === id));
  if (entry && 'current' in entry && entry.current !== undefined) return entry.current as T;
  if (entry || conflict.failed.some(isOpaque)) return reread();
  return known;
};

/** Whether the conflict concerns a record of `kind` (with `id`, when given). */
export const conflictsOn = (conflict: WriteConflict, kinds: readonly Kind[], id?: string): boolean =>
  conflict.failed.some((f) => kinds.includes(f.kind) && (id === undefined || !('id' in f) || f.id === id));
