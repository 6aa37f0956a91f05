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

/** A decision from the kept copy that no write of it checks (an error, or nothing to write). */
class UncheckedDecision extends Error {}

/** Whether `change` writes the item on the condition that it is still `basis`'s version. */
const checksBasis = (change: Change, basis: WorkItem): boolean =>
  change.writes.some(
    (write) => write.kind === 'work' && write.item.id === basis.id && write.expectedVersion === basis.version,
  );

/**
 * Decide the transition from `initial`, commit it; on a lost race decide again from the item
 * that won (read from the conflict when it carries it). A holder whose drain the change ended
 * loses its token: the freed claims are first written on the condition that their holders are
 * not retiring, so the usual change reads no agent; a holder that is retiring refuses that
 * write, and the change is then committed without the condition and the holder read after it.
 * While the state is `unchecked` (this process's kept copy), only a decision its own versioned
 * write checks may stand; anything else throws {@link UncheckedDecision}.
 */
const commitTransition = async (
  deps: WorkChangeDeps,
  id: string,
  initial: WorkItem,
  unchecked: WorkItem | undefined,
  decide: (item: WorkItem) => WorkDecision,
): Promise<WorkItem> => {
  // The change of the last decision, the one committed.
  let committed: Change | undefined;
  let holdersMayRetire = false;
  const item = await decideAndCommit(
    deps.uow,
    initial,
    (current) => {
      const decision = decideChecked(current, current === unchecked, decide);
      committed = holdersMayRetire ? decision.change : unlessHoldersRetire(decision.change);
      return { change: committed, result: decision.item };
    },
    (conflict, current) => {
      if (metRetirement(conflict)) holdersMayRetire = true;
      return refreshed(conflict, ['work'], id, current, () => requireWork(deps, id));
    },
  );
  if (holdersMayRetire) await revokeTokensOfDrained(deps, committed);
  return item;
};

/** `decide(current)`; from a kept copy, only a decision that writes the item on its version. */
const decideChecked = (
  current: WorkItem,
  fromKeptCopy: boolean,
  decide: (item: WorkItem) => WorkDecision,
): WorkDecision => {
  if (!fromKeptCopy) return decide(current);
  let decision: WorkDecision;
  try {
    decision = decide(current);
  } catch (error) {
    throw new UncheckedDecision('A decision from the kept copy failed; the item is read.', { cause: error });
  }
  if (!checksBasis(decision.change, current)) {
    throw new UncheckedDecision(
      'A decision from the kept copy writes nothing that checks it; the item is read.',
    );
  }
  return decision;
};

/**
 * Read the item (or take the copy this process kept of it), decide the transition, commit it
 * (see {@link commitTransition}). A kept copy saves the read when it is current: the decision's
 * write is conditioned on its version, so a stale copy only loses that write, and the conflict
 * carries the stored item to decide again from. A decision from the kept copy that the store
 * would not check (a refusal, or nothing to write) is set aside and made again from a read.
 * @throws NotFoundError when there is no such item; whatever domain error `decide` throws.
 */
export const changeWorkItem = async (
  deps: WorkChangeDeps,
  ctx: RequestContext,
  id: string,
  decide: (item: WorkItem, wctx: WorkContext) => WorkDecision,
): Promise<WorkChanged> => {
  const settings = await currentSettings(deps);
  const wctx = workContextOf(deps, ctx, settings);
  const decideNow = (item: WorkItem) => decide(item, wctx);
  const kept = deps.work.recent(id);
  if (kept !== undefined) {
    try {
      const item = await commitTransition(deps, id, kept, kept, decideNow);
      return { item, settings, now: wctx.now };
    } catch (error) {
      if (!(error instanceof UncheckedDecision)) throw error;
    }
  }
  const item = await commitTransition(deps, id, await requireWork(deps, id), undefined, decideNow);
  return { item, settings, now: wctx.now };
};
