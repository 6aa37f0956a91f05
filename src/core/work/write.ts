import { auditEvent, type ChangeContext, changedFields, withoutUndefined } from '../audit';
import type { AuditEvent, JsonObject, WorkItem } from '../model';
import { EntityType } from '../model';
import type { Change, Write } from '../ports';
import type { Settings } from '../settings';
import { iso } from '../time';
import { urgencyOf } from '../urgency';
import { reviewAtOf } from './review';

/** What a work decision needs besides the item: the change context and the current settings. */
export interface WorkContext extends ChangeContext {
  readonly settings: Settings;
}

/** A decided transition: the next item and the change (writes and events) that makes it so. */
export interface WorkDecision {
  readonly item: WorkItem;
  readonly change: Change;
}

/** Fields of an item a patch may set; `undefined` removes an optional field. */
export type WorkPatch = { -readonly [K in keyof WorkItem]?: WorkItem[K] | undefined };

/**
 * The item after `patch`: version + 1, `updatedAt` now, stored urgency and the sweeper's next
 * review time recomputed at now.
 */
export const advance = (prev: WorkItem, patch: WorkPatch, ctx: WorkContext): WorkItem => {
  const next = withoutUndefined({
    ...prev,
    ...patch,
    version: prev.version + 1,
    updatedAt: iso(ctx.now),
  }) as WorkItem;
  const weights = ctx.settings.urgencyWeights;
  return withoutUndefined({
    ...next,
    urgency: urgencyOf(next, ctx.now, weights),
    reviewAt: reviewAtOf(next, ctx.now, weights),
  });
};

/** The audited fields of an item (never the claim token nor the holder snapshot). */
export const workSnapshot = (item: WorkItem): JsonObject =>
  withoutUndefined({
    status: item.status,
    progress: item.progress,
    attempts: item.attempts,
    maxAttempts: item.maxAttempts,
    priority: item.priority,
    remainingDeps: item.remainingDeps,
    dependents: item.dependents,
    claim: item.claim && {
      agentId: item.claim.agentId,
      claimedAt: item.claim.claimedAt,
      leaseExpiresAt: item.claim.leaseExpiresAt,
    },
    lastNote: item.lastNote,
    result: item.result,
    failure: item.failure,
    cancelReason: item.cancelReason,
    completedAt: item.completedAt,
  });

/** The audit event of a work transition from `prev` to `next` (before/after hold only what changed). */
export const workEvent = (
  ctx: ChangeContext,
  action: string,
  prev: WorkItem,
  next: WorkItem,
  agentId: string | undefined = next.claim?.agentId ?? prev.claim?.agentId,
): AuditEvent =>
  auditEvent(ctx, {
    action,
    entityType: EntityType.Work,
    entityId: next.id,
    seq: next.version,
    team: next.team,
    ...(agentId === undefined ? {} : { agentId }),
    ...withSource(changedFields(workSnapshot(prev), workSnapshot(next)), next),
  });

/**
 * Where an item came from (`metadata.source`, set by an integration such as GitHub issues), added
 * to `after` of each of its events although it never changes: a webhook receiver of
 * `work.completed` learns from the event alone where to report back.
 */
const withSource = (
  changes: { before: JsonObject; after: JsonObject },
  item: WorkItem,
): { before: JsonObject; after: JsonObject } => {
  const source = item.metadata?.source;
  return source === undefined ? changes : { ...changes, after: { ...changes.after, metadata: { source } } };
};

/** A put of `next` conditional on the version `prev` was read at. */
export const putOver = (prev: WorkItem, next: WorkItem): Write => ({
  kind: 'work',
  item: next,
  expectedVersion: prev.version,
});

/**
 * The usual shape of a work transition: put the item over the version it was read at, plus
 * `writes` to other records, with the item's audit event and any `events` of those records.
 */
export const decide = (
  prev: WorkItem,
  next: WorkItem,
  action: string,
  ctx: WorkContext,
  more: { writes?: readonly Write[]; events?: readonly AuditEvent[]; agentId?: string } = {},
): WorkDecision => ({
  item: next,
  change: {
    writes: [putOver(prev, next), ...(more.writes ?? [])],
    events: [workEvent(ctx, action, prev, next, more.agentId), ...(more.events ?? [])],
  },
});
