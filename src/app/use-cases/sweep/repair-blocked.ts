import { failedDependencies, unescalatedFailedDependencies } from '#core/escalations/decisions';
import { EscalationKind, type EscalationRequest } from '#core/escalations/escalation';
import type { WorkItem } from '#core/model';
import type { Ports } from '#core/ports';
import { iso } from '#core/time';
import { WorkStatus } from '#core/work/status';
import { repairUnblock } from '#core/work/sweep';
import type { WorkContext } from '#core/work/write';
import { requestEscalations } from '../shared/escalations';
import { commitOne } from './commit-one';

/** What repairing blocked items did. */
export interface RepairedBlocked {
  /** Blocked items that stopped waiting on a completed dependency. */
  readonly unblocked: number;
  /** Blocked items asked a `dependency_failed` escalation they lacked. */
  readonly escalationsRequested: number;
  /** Where the next pass goes on; absent when this one reached the end. */
  readonly cursor?: string;
}

/**
 * One page of blocked items (at most `limit`, from `cursor`, from the status index) is checked
 * against its dependencies, repairing what a crash between two changes left behind: an item
 * still waiting on a dependency that completed stops waiting (ready when nothing is left), and
 * an item waiting on a failed or cancelled dependency without a `dependency_failed` escalation
 * since (a minute after that dependency's change) is asked one.
 */
export const repairBlockedItems = async (
  deps: Pick<Ports, 'work' | 'agents' | 'uow' | 'escalations' | 'escalationPublisher'>,
  wctx: WorkContext,
  page: { readonly limit: number; readonly cursor?: string },
): Promise<RepairedBlocked> => {
  const blocked = await deps.work.list({ ...page, status: WorkStatus.Blocked });
  const dependencies = await deps.work.getMany([...new Set(blocked.items.flatMap((i) => i.remainingDeps))]);
  const dependenciesOf = (item: WorkItem) => dependencies.filter((d) => item.remainingDeps.includes(d.id));
  let unblocked = 0;
  const requests: EscalationRequest[] = [];
  for (const item of blocked.items) {
    const repaired = await commitOne(deps, item, (current) =>
      repairUnblock(current, dependenciesOf(current), wctx),
    );
    if (repaired) unblocked += 1;
    const current = repaired?.item ?? item;
    if (failedDependencies(current, dependenciesOf(current)).length === 0) continue;
    const history = await deps.escalations.ofWork(item.id);
    if (unescalatedFailedDependencies(current, dependenciesOf(current), history, wctx.now).length > 0) {
      requests.push({
        workId: item.id,
        kind: EscalationKind.DependencyFailed,
        at: iso(wctx.now),
        details: { cause: 'repair' },
      });
    }
  }
  await requestEscalations(deps, requests);
  return {
    unblocked,
    escalationsRequested: requests.length,
    ...(blocked.nextCursor === undefined ? {} : { cursor: blocked.nextCursor }),
  };
};
