import { auditEvent, withoutUndefined } from '../audit';
import { UnknownDependencyError, ValidationError } from '../errors';
import { Action } from '../events';
import { storedTime } from '../import/times';
import type { JsonObject, WorkItem } from '../model';
import { EntityType } from '../model';
import type { Write } from '../ports';
import { iso } from '../time';
import { urgencyOf } from '../urgency';
import { addDependent } from './dependencies';
import { normalizePaths } from './paths';
import { reviewAtOf } from './review';
import { type Priority, WorkStatus } from './status';
import { type WorkContext, type WorkDecision, workSnapshot } from './write';

/** What a creator supplies (the `POST /v1/work` body plus the server-made id). */
export interface NewWork {
  readonly id: string;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly team: string;
  readonly priority?: Priority;
  readonly businessValue?: number;
  readonly deadline?: string;
  readonly requiredCapabilities?: readonly string[];
  /** File globs the item will touch; checked and normalized here. */
  readonly paths?: readonly string[];
  readonly dependsOn?: readonly string[];
  readonly estimateMinutes?: number;
  readonly maxAttempts?: number;
  readonly metadata?: JsonObject;
}

/** Defaults of a new item (API.md "Endpoints", `POST /v1/work`). */
export const WORK_DEFAULTS = { priority: 'medium', businessValue: 50 } as const satisfies {
  priority: Priority;
  businessValue: number;
};

/**
 * A new work item and the change that stores it. It starts `blocked` while any dependency is not
 * completed (also a failed or cancelled one: it waits for a retry or its own cancel), else
 * `ready`. Each dependency records the new item among its `dependents` in the same change, with
 * a condition on its version, so a dependency completing at the same moment cannot be missed.
 * @param dependencies the stored items named in `dependsOn` (as read).
 * @throws ValidationError when the item names itself as a dependency or declares a refused glob.
 * @throws UnknownDependencyError listing `dependsOn` ids not among `dependencies`.
 */
export const createWorkItem = (
  input: NewWork,
  dependencies: readonly WorkItem[],
  ctx: WorkContext,
): WorkDecision => {
  const dependsOn = [...new Set(input.dependsOn ?? [])];
  const paths = input.paths === undefined ? [] : normalizePaths(input.paths);
  if (dependsOn.includes(input.id)) {
    throw new ValidationError([{ path: '/dependsOn', message: 'A work item cannot depend on itself.' }]);
  }
  const byId = new Map(dependencies.map((dependency) => [dependency.id, dependency]));
  const missing = dependsOn.filter((id) => !byId.has(id));
  if (missing.length > 0) throw new UnknownDependencyError(missing);
  const named = dependsOn.map((id) => byId.get(id) as WorkItem);
  const remainingDeps = named.filter((d) => d.status !== WorkStatus.Completed).map((d) => d.id);
  const now = iso(ctx.now);
  const isBlocked = remainingDeps.length > 0;
  const draft: WorkItem = withoutUndefined({
    id: input.id,
    type: input.type,
    title: input.title,
    description: input.description,
    team: input.team,
    priority: input.priority ?? WORK_DEFAULTS.priority,
    businessValue: input.businessValue ?? WORK_DEFAULTS.businessValue,
    // Every instant is kept in UTC (`Z`), whatever offset the caller wrote.
    deadline: input.deadline === undefined ? undefined : storedTime(input.deadline),
    requiredCapabilities: [...(input.requiredCapabilities ?? [])],
    paths: paths.length > 0 ? paths : undefined,
    dependsOn,
    remainingDeps,
    dependents: [],
    estimateMinutes: input.estimateMinutes,
    maxAttempts: input.maxAttempts ?? ctx.settings.defaultMaxAttempts,
    attempts: 0,
    status: isBlocked ? WorkStatus.Blocked : WorkStatus.Ready,
    progress: 0,
    urgency: 0,
    readyAt: isBlocked ? undefined : now,
    createdBy: ctx.actor,
    metadata: input.metadata,
    version: 1,
    createdAt: now,
    updatedAt: now,
  });
  const weights = ctx.settings.urgencyWeights;
  const item: WorkItem = withoutUndefined({
    ...draft,
    urgency: urgencyOf(draft, ctx.now, weights),
    reviewAt: reviewAtOf(draft, ctx.now, weights),
  });
  const linked = named.map((dependency) => addDependent(dependency, item.id, ctx));
  const created = auditEvent(ctx, {
    action: Action.WorkCreated,
    entityType: EntityType.Work,
    entityId: item.id,
    seq: item.version,
    team: item.team,
    after: creationSnapshot(item),
  });
  const writes: Write[] = [{ kind: 'work', item, expectedVersion: null }];
  return {
    item,
    change: {
      writes: [...writes, ...linked.flatMap((d) => d.change.writes)],
      events: [created, ...linked.flatMap((d) => d.change.events)],
    },
  };
};

/** What an audit event records of a new item: its state plus the fields it was created with. */
export const creationSnapshot = (item: WorkItem): JsonObject => ({
  ...workSnapshot(item),
  type: item.type,
  title: item.title,
  team: item.team,
  businessValue: item.businessValue,
  dependsOn: item.dependsOn,
  requiredCapabilities: item.requiredCapabilities,
  ...(item.deadline === undefined ? {} : { deadline: item.deadline }),
  ...(item.paths === undefined ? {} : { paths: item.paths }),
});
