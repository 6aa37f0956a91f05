import { openEscalation } from '#core/escalations/decisions';
import { type Escalation, EscalationKind, type EscalationRequest } from '#core/escalations/escalation';
import type { WorkItem } from '#core/model';
import type { Ports } from '#core/ports';
import { systemContext } from './shared/escalations';
import { decideAndCommit } from './shared/optimistic';

/** What an escalation decision is made from, read together. */
interface Facts {
  readonly item: WorkItem | undefined;
  readonly history: readonly Escalation[];
  readonly dependencies: readonly WorkItem[];
}

const readFacts = async (
  deps: Pick<Ports, 'work' | 'escalations'>,
  request: EscalationRequest,
): Promise<Facts> => {
  const [item, history] = await Promise.all([
    deps.work.get(request.workId),
    deps.escalations.ofWork(request.workId),
  ]);
  const dependencies =
    item && request.kind === EscalationKind.DependencyFailed
      ? await deps.work.getMany(item.remainingDeps)
      : [];
  return { item, history, dependencies };
};

/**
 * The `escalations` queue consumer's use case: record one escalation request.
 * 1. read the item, its escalation history and (for `dependency_failed`) its dependencies;
 * 2. decide again from them: nothing when the item no longer is in the state the request
 *    described, when one of that kind is open already, or for a `deadline` the item had before;
 * 3. commit the open escalation with its `escalation` audit event (live clients get it from
 *    the events stream); a concurrent consumer that opened it first makes this a no-op.
 * Recording the same request twice records it once. Returns the escalation opened, if any.
 * @throws UnavailableError when the store does not answer (the message is retried).
 */
export const recordEscalation = async (
  deps: Pick<Ports, 'clock' | 'ids' | 'work' | 'escalations' | 'uow'>,
  request: EscalationRequest,
): Promise<Escalation | undefined> => {
  const ctx = systemContext(deps, request.requestId);
  return decideAndCommit<Facts, Escalation | undefined>(
    deps.uow,
    await readFacts(deps, request),
    (facts) => {
      const decision = openEscalation(request, facts.item, facts.history, facts.dependencies, ctx);
      return decision ? { change: decision.change, result: decision.escalation } : { result: undefined };
    },
    () => readFacts(deps, request),
  );
};
