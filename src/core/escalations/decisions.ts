import { auditEvent, type ChangeContext, withoutUndefined } from '../audit';
import { Action } from '../events';
import { EntityType, type JsonObject, type WorkItem } from '../model';
import type { Change } from '../ports';
import { addSeconds, isBefore, iso } from '../time';
import { WorkStatus } from '../work/status';
import {
  type Escalation,
  EscalationKind,
  type EscalationRequest,
  EscalationStatus,
  escalationId,
} from './escalation';

/** A decided escalation write: the escalation as it will be stored and the change that stores it. */
export interface EscalationDecision {
  readonly escalation: Escalation;
  readonly change: Change;
}

/** Statuses a dependency ends in that will not complete without an admin. */
const DEAD_ENDS: readonly WorkStatus[] = [WorkStatus.Failed, WorkStatus.Cancelled];

/** Statuses in which an item is still waiting to be taken (a deadline escalation concerns these). */
const UNTAKEN: readonly WorkStatus[] = [WorkStatus.Ready, WorkStatus.Blocked];

/**
 * The dependencies a blocked item still waits on that ended failed or cancelled.
 * @param dependencies stored items; those the item does not wait on are ignored.
 */
export const failedDependencies = (item: WorkItem, dependencies: readonly WorkItem[]): WorkItem[] =>
  item.status !== WorkStatus.Blocked
    ? []
    : dependencies.filter((d) => item.remainingDeps.includes(d.id) && DEAD_ENDS.includes(d.status));

/** Whether the item's deadline has passed by `now`. */
const isOverdue = (item: WorkItem, now: Date): boolean =>
  item.deadline !== undefined && !isBefore(now, item.deadline);

/**
 * Whether an escalation of `kind` describes the item as it is now: `retries_exhausted` while it
 * is escalated, `deadline` while it is overdue and still ready or blocked (claiming or completing
 * it settles that), `dependency_failed` while it waits on a failed or cancelled dependency.
 */
export const escalationApplies = (
  kind: EscalationKind,
  item: WorkItem,
  dependencies: readonly WorkItem[],
  now: Date,
): boolean => {
  switch (kind) {
    case EscalationKind.RetriesExhausted:
      return item.status === WorkStatus.Escalated;
    case EscalationKind.Deadline:
      return UNTAKEN.includes(item.status) && isOverdue(item, now);
    case EscalationKind.DependencyFailed:
      return failedDependencies(item, dependencies).length > 0;
    case EscalationKind.AiAlert:
    case EscalationKind.WebhookPaused:
      // Opened by the health assessment (see ai/alerts) or the webhook sender, never from a request about an item.
      return false;
  }
};

/** The facts an escalation of `kind` records about the item when it opens. */
const detailsOf = (kind: EscalationKind, item: WorkItem, dependencies: readonly WorkItem[]): JsonObject => {
  switch (kind) {
    case EscalationKind.RetriesExhausted:
      return withoutUndefined({
        attempts: item.attempts,
        maxAttempts: item.maxAttempts,
        lastFailure: item.failure && { ...item.failure },
      });
    case EscalationKind.Deadline:
      return { deadline: item.deadline, status: item.status };
    case EscalationKind.DependencyFailed:
      return {
        dependencies: failedDependencies(item, dependencies).map((d) => ({ id: d.id, status: d.status })),
      };
    case EscalationKind.AiAlert:
    case EscalationKind.WebhookPaused:
      return {};
  }
};

/** What the audit log keeps of an escalation. */
export const escalationSnapshot = (escalation: Escalation): JsonObject =>
  withoutUndefined({
    workId: escalation.workId,
    kind: escalation.kind,
    status: escalation.status,
    openedAt: escalation.openedAt,
    resolvedAt: escalation.resolvedAt,
    details: escalation.details,
    resolution: escalation.resolution && withoutUndefined({ ...escalation.resolution }),
  });

/**
 * The decision that opens a new escalation: written only if it does not exist yet, with its
 * audit event.
 */
export const openingOf = (escalation: Escalation, ctx: ChangeContext): EscalationDecision => ({
  escalation,
  change: {
    writes: [{ kind: 'escalation', escalation, expectedVersion: null }],
    events: [
      auditEvent(ctx, {
        action: Action.Escalation,
        entityType: EntityType.Escalation,
        entityId: escalation.id,
        seq: escalation.version,
        team: escalation.team,
        after: escalationSnapshot(escalation),
      }),
    ],
  },
});

/**
 * Record what `request` asks for, deciding again from the stored item: a new open escalation
 * (number one above the item's last of that kind) and its `escalation` audit event, which live
 * clients receive. Returns `undefined` when there is nothing to record: the item is gone or no
 * longer in the state the request described, one of that kind is open already, or (for
 * `deadline`) the item had one before.
 * @param history every escalation of the item, any kind and status.
 * @param dependencies the item's stored dependencies (needed for `dependency_failed`).
 */
export const openEscalation = (
  request: EscalationRequest,
  item: WorkItem | undefined,
  history: readonly Escalation[],
  dependencies: readonly WorkItem[],
  ctx: ChangeContext,
): EscalationDecision | undefined => {
  const { kind } = request;
  if (!item || !escalationApplies(kind, item, dependencies, ctx.now)) return undefined;
  const sameKind = history.filter((e) => e.kind === kind);
  if (sameKind.some((e) => e.status === EscalationStatus.Open)) return undefined;
  if (kind === EscalationKind.Deadline && sameKind.length > 0) return undefined;
  const number = Math.max(0, ...sameKind.map((e) => e.number)) + 1;
  const escalation: Escalation = {
    id: escalationId(item.id, kind, number),
    workId: item.id,
    team: item.team,
    kind,
    number,
    status: EscalationStatus.Open,
    openedAt: iso(ctx.now),
    details: { ...request.details, ...detailsOf(kind, item, dependencies) },
    version: 1,
  };
  return openingOf(escalation, ctx);
};

/**
 * Resolve an open escalation: `resolved` now, by the acting actor, with the note; an
 * `escalation.resolved` audit event. Returns `undefined` for one resolved already (resolving
 * twice changes nothing). Never touches the work item.
 */
export const resolveEscalation = (
  escalation: Escalation,
  note: string | undefined,
  ctx: ChangeContext,
): EscalationDecision | undefined => {
  if (escalation.status === EscalationStatus.Resolved) return undefined;
  const next: Escalation = {
    ...escalation,
    status: EscalationStatus.Resolved,
    resolvedAt: iso(ctx.now),
    resolution: withoutUndefined({ by: ctx.actor, note }),
    version: escalation.version + 1,
  };
  const event = auditEvent(ctx, {
    action: Action.EscalationResolved,
    entityType: EntityType.Escalation,
    entityId: next.id,
    seq: next.version,
    team: next.team,
    before: { status: escalation.status },
    after: withoutUndefined({
      status: next.status,
      resolvedAt: next.resolvedAt,
      resolution: escalationSnapshot(next).resolution,
    }),
  });
  return {
    escalation: next,
    change: {
      writes: [{ kind: 'escalation', escalation: next, expectedVersion: escalation.version }],
      events: [event],
    },
  };
};

/** The resolutions of every open escalation among `escalations` (of `kinds`, when given). */
export const resolveAll = (
  escalations: readonly Escalation[],
  note: string | undefined,
  ctx: ChangeContext,
  kinds?: readonly EscalationKind[],
): EscalationDecision[] =>
  escalations
    .filter((e) => kinds === undefined || kinds.includes(e.kind))
    .flatMap((e) => resolveEscalation(e, note, ctx) ?? []);

/**
 * How long a repair waits after a change before asking for an escalation that change called for:
 * the request made with the change is normally recorded within moments, and asking earlier would
 * only send it twice.
 */
export const REPAIR_GRACE_SECONDS = 60;

/** Whether `at` lies at least the repair grace before `now`. */
const isSettled = (at: string, now: Date): boolean => !isBefore(addSeconds(now, -REPAIR_GRACE_SECONDS), at);

/** When a failed dependency failed; `undefined` for a cancelled one (a cancel is final, so any time counts). */
const failedAt = (dependency: WorkItem): string | undefined =>
  dependency.status === WorkStatus.Failed ? dependency.failure?.at : undefined;

/** Whether a `dependency_failed` escalation names this dependency among its details. */
const mentions = (escalation: Escalation, dependencyId: string): boolean => {
  const listed = escalation.details.dependencies;
  return Array.isArray(listed) && listed.some((entry) => (entry as { id?: unknown })?.id === dependencyId);
};

/**
 * The failed or cancelled dependencies of a blocked item for which no `dependency_failed`
 * escalation of the item was opened since they ended so (open or resolved: an admin who
 * resolved one by hand is not asked again), once their last change is older than the repair
 * grace. The sweeper asks for one when this is not empty, repairing a request a crash lost
 * between the dependency's change and its publication.
 */
export const unescalatedFailedDependencies = (
  item: WorkItem,
  dependencies: readonly WorkItem[],
  history: readonly Escalation[],
  now: Date,
): WorkItem[] =>
  failedDependencies(item, dependencies).filter((dependency) => {
    const since = failedAt(dependency);
    if (!isSettled(dependency.updatedAt, now)) return false;
    return !history.some(
      (e) =>
        e.kind === EscalationKind.DependencyFailed &&
        mentions(e, dependency.id) &&
        (since === undefined || !isBefore(e.openedAt, since)),
    );
  });

/**
 * The escalation requests a committed transition of `item` calls for: `retries_exhausted` for the
 * item once it is escalated, `dependency_failed` for each dependent once it ended failed or
 * cancelled. The consumer decides again from the stored records, so asking too often is harmless.
 * @param cause why, e.g. `failed`, `lease_expired`, `cancelled` (kept in the details).
 */
export const requestsAfter = (
  item: WorkItem,
  cause: string,
  ctx: Pick<ChangeContext, 'now' | 'requestId'>,
): EscalationRequest[] => {
  const at = iso(ctx.now);
  const common = ctx.requestId === undefined ? { at } : { at, requestId: ctx.requestId };
  if (item.status === WorkStatus.Escalated) {
    return [{ workId: item.id, kind: EscalationKind.RetriesExhausted, details: { cause }, ...common }];
  }
  if (DEAD_ENDS.includes(item.status)) {
    return item.dependents.map((dependentId) => ({
      workId: dependentId,
      kind: EscalationKind.DependencyFailed,
      details: { cause, dependencyId: item.id },
      ...common,
    }));
  }
  return [];
};

/**
 * Whether an escalated item lacks its `retries_exhausted` escalation: its last change is older
 * than the repair grace, none is open and none was opened since that change (an admin who
 * resolved one by hand is not asked again until the item changes). The sweeper asks for one
 * then, repairing a request a crash lost.
 */
export const lacksRetriesEscalation = (item: WorkItem, history: readonly Escalation[], now: Date): boolean =>
  item.status === WorkStatus.Escalated &&
  isSettled(item.updatedAt, now) &&
  !history.some(
    (e) =>
      e.kind === EscalationKind.RetriesExhausted &&
      (e.status === EscalationStatus.Open || !isBefore(e.openedAt, item.updatedAt)),
  );
