import type { WorkItem } from '#core/model';
import type { Change, Ports, WriteConflict } from '#core/ports';
import type { Settings } from '#core/settings';
import type { WorkContext, WorkDecision } from '#core/work/write';
import type { RequestContext } from '../../context';
import { currentSettings, type SettingsDeps } from '../../settings';
import { workContextOf } from './context';
import { requireWork } from './lookups';
import { decideAndCommit, refreshed } from './optimistic';
import { revokeTokensOfDrained } from './tokens';

/** Ports a single-item transition needs. */
export type WorkChangeDeps = Pick<Ports, 'clock' | 'ids' | 'work' | 'agents' | 'uow'> & SettingsDeps;

/** A committed transition: the item as stored now, with the settings and time it was decided under. */
export interface WorkChanged {
  readonly item: WorkItem;
  readonly settings: Settings;
  readonly now: Date;
}

/** The change with each claim it frees written only while that holder has no retirement. */
const unlessHoldersRetire = (change: Change): Change => ({
  ...change,
  writes: change.writes.map((write) =>
    write.kind === 'agentClaims' && write.delta < 0 ? { ...write, unlessRetiring: true } : write,
  ),
});

/** Whether the conflict is a freed holder's retirement (the guard of {@link unlessHoldersRetire}). */
const metRetirement = (conflict: WriteConflict): boolean =>
  conflict.failed.some((failed) => failed.kind === 'agentClaims' && failed.current?.retirement !== undefined);

/**
 * Read the item, decide the transition, commit it; on a lost race decide again from the item
 * that won (read from the conflict when it carries it). A holder whose drain the change ended
 * loses its token: the freed claims are first written on the condition that their holders are
 * not retiring, so the usual change reads no agent; a holder that is retiring refuses that
 * write, and the change is then committed without the condition and the holder read after it.
 * @throws NotFoundError when there is no such item; whatever domain error `decide` throws.
 */
export const changeWorkItem = async (
  deps: WorkChangeDeps,
  ctx: RequestContext,
  id: string,
  decide: (item: WorkItem, wctx: WorkContext) => WorkDecision,
): Promise<WorkChanged> => {
  const settings = await currentSettings(deps);
  const initial = await requireWork(deps, id);
  const wctx = workContextOf(deps, ctx, settings);
  // The change of the last decision, the one committed.
  let committed: Change | undefined;
  let holdersMayRetire = false;
  const item = await decideAndCommit(
    deps.uow,
    initial,
    (current) => {
      const decision = decide(current, wctx);
      committed = holdersMayRetire ? decision.change : unlessHoldersRetire(decision.change);
      return { change: committed, result: decision.item };
    },
    (conflict, current) => {
      if (metRetirement(conflict)) holdersMayRetire = true;
      return refreshed(conflict, ['work'], id, current, () => requireWork(deps, id));
    },
  );
  if (holdersMayRetire) await revokeTokensOfDrained(deps, committed);
  return { item, settings, now: wctx.now };
};
