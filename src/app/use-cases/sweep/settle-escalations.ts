import type { ChangeContext } from '#core/audit';
import { escalationApplies } from '#core/escalations/decisions';
import { EscalationKind, EscalationStatus } from '#core/escalations/escalation';
import type { WorkItem } from '#core/model';
import type { Ports } from '#core/ports';
import { resolveStored } from '../shared/escalations';

/** What settling open escalations did. */
export interface SettledEscalations {
  /** Open escalations resolved because they no longer describe their item. */
  readonly resolved: number;
  /** Where the next pass goes on; absent when this one reached the end. */
  readonly cursor?: string;
}

/** Why an escalation was settled, as its resolution note says. */
const settledNote = (item: WorkItem | undefined): string =>
  item === undefined
    ? 'The work item no longer exists.'
    : `No longer applies: the work item is ${item.status}.`;

/**
 * One page of open escalations (at most `limit`, from `cursor`) is checked against the items
 * they concern: one that no longer describes its item resolves by itself, e.g. a `deadline`
 * escalation once the item was claimed or completed, a `retries_exhausted` one once the item
 * was retried, a `dependency_failed` one once the dependency was retried or the item cancelled.
 */
export const settleOpenEscalations = async (
  deps: Pick<Ports, 'work' | 'escalations' | 'uow'>,
  ctx: ChangeContext,
  page: { readonly limit: number; readonly cursor?: string },
): Promise<SettledEscalations> => {
  const open = await deps.escalations.list({ ...page, status: EscalationStatus.Open });
  const items = await deps.work.getMany([...new Set(open.items.map((e) => e.workId))]);
  const itemById = new Map(items.map((item) => [item.id, item]));
  const waitedOn = open.items
    .filter((e) => e.kind === EscalationKind.DependencyFailed)
    .flatMap((e) => itemById.get(e.workId)?.remainingDeps ?? []);
  const dependencies = await deps.work.getMany([...new Set(waitedOn)]);
  let resolved = 0;
  for (const escalation of open.items) {
    // An AI alert is about a finding, a paused webhook about a receiver, not an item's state: a person resolves them.
    if (escalation.kind === EscalationKind.AiAlert || escalation.kind === EscalationKind.WebhookPaused)
      continue;
    const item = itemById.get(escalation.workId);
    const mine = item ? dependencies.filter((d) => item.remainingDeps.includes(d.id)) : [];
    if (item && escalationApplies(escalation.kind, item, mine, ctx.now)) continue;
    const done = await resolveStored(deps, ctx, escalation, settledNote(item));
    if (done?.status === EscalationStatus.Resolved) resolved += 1;
  }
  return { resolved, ...(open.nextCursor === undefined ? {} : { cursor: open.nextCursor }) };
};
