import { isRetired } from '../agents/liveness';
import { auditEvent, withoutUndefined } from '../audit';
import { Action } from '../events';
import { type Agent, type AuditEvent, EntityType, type WorkClaim, type WorkItem } from '../model';
import type { Write } from '../ports';
import { ActorType } from '../roles';
import { addSeconds, iso } from '../time';
import { urgencyOf } from '../urgency';
import { creationSnapshot, WORK_DEFAULTS } from '../work/create';
import { addDependent } from '../work/dependencies';
import { normalizePaths, pathsErrors } from '../work/paths';
import { reviewAtOf } from '../work/review';
import { isHeld, WorkStatus } from '../work/status';
import type { WorkContext } from '../work/write';
import type { Imported } from './fingerprint';
import { decideExisting, type ImportDecision, rejected } from './outcome';
import { type FullWorkRecord, type WorkRecord, withWorkDefaults } from './records';
import { storedTime } from './times';

/** Writes one change may hold: it is one store transaction (DynamoDB takes at most 100). */
const MAX_CHANGE_WRITES = 100;

/**
 * Most dependencies an imported item may name: its change writes the item, its holder, and
 * each dependency with an event (2 per dependency, plus the item's own event).
 */
export const MAX_IMPORT_DEPENDENCIES = Math.floor((MAX_CHANGE_WRITES - 3) / 2);

/** What an import of one item needs to know besides the record. */
export interface WorkImportFound {
  /** The item stored under the record's id, if any. */
  readonly existing?: WorkItem;
  /** The stored items among the record's `dependsOn` (as read). */
  readonly dependencies: readonly WorkItem[];
  /** The agent the record's claim names, if it names one and that agent exists. */
  readonly holder?: Agent;
}

/** Why the record contradicts itself, or undefined when it does not. */
export const workRecordProblem = (record: FullWorkRecord, defaultMaxAttempts: number): string | undefined => {
  const maxAttempts = record.maxAttempts ?? defaultMaxAttempts;
  const dependsOn = record.dependsOn ?? [];
  if (isHeld(record.status) && record.claim === undefined) {
    return `status ${record.status} needs a claim {agentId, claimedAt}`;
  }
  if (!isHeld(record.status) && record.claim !== undefined) {
    return `status ${record.status} holds no claim, but a claim is given`;
  }
  if (record.attempts > maxAttempts) {
    return `attempts ${record.attempts} exceeds maxAttempts ${maxAttempts}`;
  }
  if (dependsOn.includes(record.id)) return 'a work item cannot depend on itself';
  if (dependsOn.length > MAX_IMPORT_DEPENDENCIES) {
    return `an imported item may name at most ${MAX_IMPORT_DEPENDENCIES} dependencies`;
  }
  const [pathError] = pathsErrors(record.paths ?? []);
  if (pathError) return `paths${pathError.path.slice('/paths'.length)}: ${pathError.message}`;
  return undefined;
};

/** Why the records the item names do not allow it, or undefined when they do. */
const foundProblem = (record: WorkRecord, found: WorkImportFound): string | undefined => {
  const stored = new Set(found.dependencies.map((dependency) => dependency.id));
  const missing = [...new Set(record.dependsOn ?? [])].filter((id) => !stored.has(id));
  if (missing.length > 0) return `unknown dependencies: ${missing.join(', ')}`;
  const { claim } = record;
  if (claim === undefined) return undefined;
  if (found.holder === undefined) {
    return `claim holder ${claim.agentId} is not registered (import the agent first)`;
  }
  if (found.holder.retirement !== undefined) {
    return `claim holder ${claim.agentId} is ${isRetired(found.holder) ? 'retired' : 'retiring'} and takes no claims`;
  }
  return undefined;
};

/**
 * The item an import stores. It keeps the record's id, status, progress, attempts, times,
 * result and metadata. An item waiting on dependencies (`ready` or `blocked`) is `blocked`
 * while any of them is not completed, else `ready` (aging from its `updatedAt`). A held item's
 * claim gets the fresh `claimToken`, which nobody knows (its holder takes the claim up by
 * claiming the item, which answers a new token), and a lease of `leaseSeconds` from now.
 * A waiting item gets its sweeper review time as a created one does (deadline, urgency drift).
 */
export const importedWorkItem = (
  record: FullWorkRecord,
  found: WorkImportFound,
  fingerprint: string,
  claimToken: string,
  ctx: WorkContext,
): Imported<WorkItem> => {
  const dependsOn = [...new Set(record.dependsOn ?? [])];
  const isWaiting = record.status === WorkStatus.Ready || record.status === WorkStatus.Blocked;
  const remainingDeps = isWaiting
    ? found.dependencies
        .filter(
          (dependency) => dependsOn.includes(dependency.id) && dependency.status !== WorkStatus.Completed,
        )
        .map((dependency) => dependency.id)
    : [];
  const status = isWaiting
    ? remainingDeps.length > 0
      ? WorkStatus.Blocked
      : WorkStatus.Ready
    : record.status;
  const { holder } = found;
  const claim: WorkClaim | undefined =
    record.claim && holder
      ? {
          agentId: holder.id,
          token: claimToken,
          claimedAt: storedTime(record.claim.claimedAt),
          leaseExpiresAt: addSeconds(ctx.now, ctx.settings.leaseSeconds),
          holderLastHeartbeatAt: holder.lastHeartbeatAt,
          holderHeartbeatIntervalSec: holder.heartbeatIntervalSec,
        }
      : undefined;
  const draft: Imported<WorkItem> = withoutUndefined({
    id: record.id,
    type: record.type,
    title: record.title,
    description: record.description,
    team: record.team,
    priority: record.priority ?? WORK_DEFAULTS.priority,
    businessValue: record.businessValue ?? WORK_DEFAULTS.businessValue,
    deadline: record.deadline === undefined ? undefined : storedTime(record.deadline),
    requiredCapabilities: [...(record.requiredCapabilities ?? [])],
    paths: record.paths?.length ? normalizePaths(record.paths) : undefined,
    dependsOn,
    remainingDeps,
    dependents: [],
    estimateMinutes: record.estimateMinutes,
    maxAttempts: record.maxAttempts ?? ctx.settings.defaultMaxAttempts,
    attempts: record.attempts,
    status,
    progress: record.progress,
    urgency: 0,
    readyAt: status === WorkStatus.Ready ? storedTime(record.updatedAt) : undefined,
    claim,
    result: record.result,
    createdBy: { type: ActorType.Import, id: ctx.actor.id },
    metadata: record.metadata,
    version: 1,
    createdAt: storedTime(record.createdAt),
    updatedAt: storedTime(record.updatedAt),
    completedAt: record.completedAt === undefined ? undefined : storedTime(record.completedAt),
    importFingerprint: fingerprint,
  });
  const weights = ctx.settings.urgencyWeights;
  return withoutUndefined({
    ...draft,
    urgency: urgencyOf(draft, ctx.now, weights),
    reviewAt: reviewAtOf(draft, ctx.now, weights),
  });
};

/** The holder counting one more claim (a versioned put: an imported claim may exceed its capacity). */
const holderWithClaim = (holder: Agent, ctx: WorkContext): Write => ({
  kind: 'agent',
  agent: {
    ...holder,
    activeClaims: holder.activeClaims + 1,
    version: holder.version + 1,
    updatedAt: iso(ctx.now),
  },
  expectedVersion: holder.version,
});

/**
 * Importing one work item: when the id is free and the record fits (its fields agree, its
 * dependencies exist, its holder is registered and not retiring), the item is stored as
 * {@link importedWorkItem} with a `work.imported` event, each dependency records it among its
 * dependents, and an imported claim counts toward its holder's `activeClaims`. Fields the record
 * leaves out take API.md's defaults ({@link withWorkDefaults}), after the fingerprint, so a rerun
 * of the same record is `unchanged`. An id imported
 * before with the same content is `unchanged`; other content under the id is a conflict.
 */
export const importWork = (
  given: WorkRecord,
  found: WorkImportFound,
  fingerprint: string,
  claimToken: string,
  ctx: WorkContext,
): ImportDecision => {
  if (found.existing) return decideExisting(found.existing, fingerprint, 'work item');
  const record = withWorkDefaults(given, iso(ctx.now));
  const problem = workRecordProblem(record, ctx.settings.defaultMaxAttempts) ?? foundProblem(record, found);
  if (problem !== undefined) return rejected(problem);
  const item = importedWorkItem(record, found, fingerprint, claimToken, ctx);
  const linked = found.dependencies
    .filter((dependency) => item.dependsOn.includes(dependency.id))
    .map((dependency) => addDependent(dependency, item.id, ctx));
  const holder = item.claim && found.holder;
  const imported: AuditEvent = auditEvent(ctx, {
    action: Action.WorkImported,
    entityType: EntityType.Work,
    entityId: item.id,
    seq: item.version,
    team: item.team,
    ...(holder ? { agentId: holder.id } : {}),
    after: { ...creationSnapshot(item), createdAt: item.createdAt, updatedAt: item.updatedAt },
  });
  return {
    outcome: 'created',
    change: {
      writes: [
        { kind: 'work', item, expectedVersion: null },
        ...linked.flatMap((decision) => decision.change.writes),
        ...(holder ? [holderWithClaim(holder, ctx)] : []),
      ],
      events: [imported, ...linked.flatMap((decision) => decision.change.events)],
    },
  };
};
