import { UnavailableError } from '#core/errors';
import type { WorkItem } from '#core/model';
import type { Change, Ports, WriteConflict } from '#core/ports';
import { decideAndCommit, refreshed } from '../shared/optimistic';
import { revokeTokensOfDrained } from '../shared/tokens';

/**
 * Decide about one item the sweeper read, commit, and on a lost race decide again from the item
 * that won (which usually means there is nothing left to do). Returns the decision committed;
 * `undefined` when there was nothing to do, or when the item stayed contended past the retries:
 * the sweeper must not hold up the rest of its pass for one busy item, and the next pass finds
 * it again. A holder whose drain the change ended (a lease expiry) loses its token.
 * `onConflict` refreshes whatever else `decide` reads (e.g. the holder) before it decides again.
 */
export const commitOne = async <D extends { readonly change: Change }>(
  deps: Pick<Ports, 'work' | 'agents' | 'uow'>,
  item: WorkItem,
  decide: (current: WorkItem) => D | undefined,
  onConflict?: (conflict: WriteConflict) => Promise<void>,
): Promise<D | undefined> => {
  let committed: D | undefined;
  try {
    committed = await decideAndCommit<WorkItem | undefined, D | undefined>(
      deps.uow,
      item,
      (current) => {
        const decision = current && decide(current);
        return decision ? { change: decision.change, result: decision } : { result: undefined };
      },
      async (conflict, current) => {
        await onConflict?.(conflict);
        return refreshed<WorkItem | undefined>(conflict, ['work'], item.id, current, () =>
          deps.work.get(item.id),
        );
      },
    );
  } catch (error) {
    if (!(error instanceof UnavailableError)) throw error;
    return undefined;
  }
  await revokeTokensOfDrained(deps, committed?.change);
  return committed;
};
