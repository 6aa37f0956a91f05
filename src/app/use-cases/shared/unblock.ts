import { UnavailableError } from '#core/errors';
import type { WorkItem } from '#core/model';
import type { Ports } from '#core/ports';
import { unblockDependent } from '#core/work/dependencies';
import type { WorkContext } from '#core/work/write';
import { decideAndCommit, refreshed } from './optimistic';

/**
 * After `dependencyId` completed, each dependent stops waiting on it (and becomes ready when
 * nothing else remains). Each dependent is its own conditional change, decided again on a lost
 * race; dependents that are gone or not waiting are skipped. Returns the dependents changed.
 * A dependent the store cannot take now is left for the sweeper's unblock repair: the completion
 * is already committed and must still be answered, or its holder could never learn it succeeded.
 */
export const unblockDependents = async (
  deps: Pick<Ports, 'work' | 'uow'>,
  wctx: WorkContext,
  dependencyId: string,
  dependentIds: readonly string[],
): Promise<WorkItem[]> => {
  const changed: WorkItem[] = [];
  for (const dependentId of dependentIds) {
    try {
      const next = await unblockOne(deps, wctx, dependencyId, dependentId);
      if (next) changed.push(next);
    } catch (error) {
      if (!(error instanceof UnavailableError)) throw error;
    }
  }
  return changed;
};

const unblockOne = async (
  deps: Pick<Ports, 'work' | 'uow'>,
  wctx: WorkContext,
  dependencyId: string,
  dependentId: string,
): Promise<WorkItem | undefined> =>
  decideAndCommit<WorkItem | undefined, WorkItem | undefined>(
    deps.uow,
    await deps.work.get(dependentId),
    (current) => {
      const decision = current && unblockDependent(current, dependencyId, wctx);
      return decision ? { change: decision.change, result: decision.item } : { result: undefined };
    },
    (conflict, current) =>
      refreshed<WorkItem | undefined>(conflict, ['work'], dependentId, current, () =>
        deps.work.get(dependentId),
      ),
  );
