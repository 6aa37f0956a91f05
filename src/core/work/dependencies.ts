import { Action } from '../events';
import type { WorkItem } from '../model';
import { iso } from '../time';
import { WorkStatus } from './status';
import { advance, decide, type WorkContext, type WorkDecision } from './write';

/** The dependency records `dependentId` among its dependents (version + 1). */
export const addDependent = (dependency: WorkItem, dependentId: string, ctx: WorkContext): WorkDecision => {
  const dependents = dependency.dependents.includes(dependentId)
    ? dependency.dependents
    : [...dependency.dependents, dependentId];
  return decide(dependency, advance(dependency, { dependents }, ctx), Action.WorkDependentAdded, ctx);
};

/**
 * A dependency completed: the blocked dependent stops waiting on it and becomes ready (aging from
 * now) when nothing else remains. Returns `undefined` when there is nothing to change: the
 * dependent is not blocked or was not waiting on `dependencyId`.
 */
export const unblockDependent = (
  dependent: WorkItem,
  dependencyId: string,
  ctx: WorkContext,
): WorkDecision | undefined => {
  if (dependent.status !== WorkStatus.Blocked || !dependent.remainingDeps.includes(dependencyId))
    return undefined;
  const remainingDeps = dependent.remainingDeps.filter((id) => id !== dependencyId);
  const next = advance(
    dependent,
    remainingDeps.length === 0
      ? { remainingDeps, status: WorkStatus.Ready, readyAt: iso(ctx.now) }
      : { remainingDeps },
    ctx,
  );
  return decide(dependent, next, Action.WorkUnblocked, ctx);
};
