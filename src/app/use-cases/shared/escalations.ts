import type { ChangeContext } from '#core/audit';
import { SYSTEM_ACTOR } from '#core/authz';
import { UnavailableError } from '#core/errors';
import { resolveEscalation as decideResolution } from '#core/escalations/decisions';
import {
  type Escalation,
  type EscalationKind,
  type EscalationRequest,
  EscalationStatus,
} from '#core/escalations/escalation';
import type { Ports } from '#core/ports';
import { decideAndCommit, refreshed } from './optimistic';

/** The change context of work the service does by itself (sweeper, queue consumers). */
export const systemContext = (deps: Pick<Ports, 'clock' | 'ids'>, requestId?: string): ChangeContext => ({
  now: deps.clock.now(),
  actor: SYSTEM_ACTOR,
  ...(requestId === undefined ? {} : { requestId }),
  ids: deps.ids,
});

/**
 * Hands escalation requests to the escalations consumer, which decides again and records them.
 * A queue that is busy or unreachable does not fail the caller: after a committed change the
 * caller must still answer it, and whatever was not taken is asked again later (the sweeper's
 * repairs find an escalated item or a failed dependency without an escalation, and a deadline
 * stays due until its request was taken). Returns whether the queue took them.
 */
export const requestEscalations = async (
  deps: Pick<Ports, 'escalationPublisher'>,
  requests: readonly EscalationRequest[],
): Promise<boolean> => {
  if (requests.length === 0) return true;
  try {
    await deps.escalationPublisher.publish(requests);
    return true;
  } catch (error) {
    if (!(error instanceof UnavailableError)) throw error;
    return false;
  }
};

/**
 * Resolve one escalation (read again on a lost race: someone resolved it meanwhile). Returns it
 * as stored afterwards; `undefined` when it does not exist.
 */
export const resolveStored = async (
  deps: Pick<Ports, 'escalations' | 'uow'>,
  ctx: ChangeContext,
  escalation: Escalation,
  note: string | undefined,
): Promise<Escalation | undefined> =>
  decideAndCommit<Escalation | undefined, Escalation | undefined>(
    deps.uow,
    escalation,
    (current) => {
      const decision = current && decideResolution(current, note, ctx);
      return decision ? { change: decision.change, result: decision.escalation } : { result: current };
    },
    (conflict, current) =>
      refreshed(conflict, ['escalation'], escalation.id, current, () => deps.escalations.get(escalation.id)),
  );

/**
 * After a change that settles them, resolve the open escalations of a work item (of `kinds`, when
 * given), each in its own change. Best effort: one the store cannot take now stays open for the
 * sweeper, which resolves every open escalation that no longer describes its item. Returns how
 * many were resolved here.
 */
export const resolveOpenEscalations = async (
  deps: Pick<Ports, 'escalations' | 'uow'>,
  ctx: ChangeContext,
  workId: string,
  options: { readonly note?: string; readonly kinds?: readonly EscalationKind[] } = {},
): Promise<number> => {
  let resolved = 0;
  try {
    const open = (await deps.escalations.ofWork(workId)).filter(
      (e) =>
        e.status === EscalationStatus.Open && (options.kinds === undefined || options.kinds.includes(e.kind)),
    );
    for (const escalation of open) {
      const done = await resolveStored(deps, ctx, escalation, options.note);
      if (done?.status === EscalationStatus.Resolved) resolved += 1;
    }
  } catch (error) {
    if (!(error instanceof UnavailableError)) throw error;
  }
  return resolved;
};
