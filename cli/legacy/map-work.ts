/**
 * One legacy claim record -> one imported work item (LEGACY.md section 8). The status map:
 * `pending` -> ready; `active` -> claimed; `in_progress` and any custom status (`blocked`,
 * `review`, ...) -> in_progress; `completed` with result `failed` (or a `failed` status) ->
 * failed; other completions -> completed. A held item without an agent is imported as ready.
 * The raw status is always kept in `metadata.legacy.status`.
 */
import { isHeld, PRIORITIES, type Priority, WorkStatus } from '#core/work/status';
import {
  agentIdFor,
  earliest,
  FieldReader,
  LEGACY_FAILED,
  latest,
  readTeam,
  timeFromLegacyId,
  titleFor,
  typeFor,
  workIdFor,
} from './fields';
import type { ImportWork } from './import-records';
import type { Planned, SourceRef } from './plan';

const MAX_DESCRIPTION = 10_000;
const MAX_RESULT = 20_000;

/** A completion from `coordination_log.json`, as the mapping uses it. */
export interface LegacyCompletion {
  readonly at: string;
  readonly agentId?: string;
  readonly result?: string;
  readonly source: SourceRef;
}

/** A claim record with where it came from. */
export interface ClaimInput {
  readonly raw: Readonly<Record<string, unknown>>;
  readonly legacyId: string;
  readonly source: SourceRef;
  readonly fileModifiedAt: string;
  /**
   * Set only for a fast-path claim that is still open while the log completes it: swarmsh's
   * `complete` never touches the fast file, so the log is the only record of the outcome.
   */
  readonly completionFromLog?: LegacyCompletion;
}

/** The mapped item plus what the agent and history mapping need from it. */
export interface MappedClaim {
  readonly work: Planned<ImportWork>;
  /** Agent named by the record (mapped id), whether or not it still holds the item. */
  readonly agentId?: string;
  readonly claimedAt?: string;
  readonly completedAt?: string;
  /** Every valid time the record shows, for its agent's first and last activity. */
  readonly times: readonly string[];
  readonly createdBy?: string;
}

const statusFrom = (
  raw: string | undefined,
  result: string | undefined,
  hints: { completedAt?: string; agentId?: string },
): { status: WorkStatus; note?: string } => {
  switch (raw) {
    case 'pending':
      return { status: WorkStatus.Ready };
    case 'active':
      return { status: WorkStatus.Claimed };
    case 'in_progress':
      return { status: WorkStatus.InProgress };
    case 'completed':
      return { status: result === LEGACY_FAILED ? WorkStatus.Failed : WorkStatus.Completed };
    case LEGACY_FAILED:
      return { status: WorkStatus.Failed };
    case undefined:
    case '': {
      const status = hints.completedAt
        ? WorkStatus.Completed
        : hints.agentId
          ? WorkStatus.Claimed
          : WorkStatus.Ready;
      return { status, note: `no status: imported as ${status}` };
    }
    default:
      return {
        status: WorkStatus.InProgress,
        note: `custom status '${raw}' imported as in_progress (kept in metadata.legacy.status)`,
      };
  }
};

const priorityFrom = (raw: string | undefined, notes: string[]): Priority => {
  if (raw !== undefined && (PRIORITIES as readonly string[]).includes(raw)) return raw as Priority;
  if (raw !== undefined)
    notes.push(`priority '${raw}' is not one of ${PRIORITIES.join('/')}: imported as medium`);
  return 'medium';
};

const clampProgress = (value: number | undefined, notes: string[]): number => {
  if (value === undefined) return 0;
  const clamped = Math.min(100, Math.max(0, value));
  if (clamped !== value) notes.push(`progress ${value} outside 0..100: imported as ${clamped}`);
  return clamped;
};

/** Maps one claim record; never throws (problems become notes, originals stay in metadata). */
export const mapClaim = (input: ClaimInput): MappedClaim => {
  const reader = new FieldReader(input.raw);
  const notes = reader.notes;
  const id = workIdFor(input.legacyId);
  if (id === input.legacyId) reader.consume('work_item_id');
  else notes.push(`work_item_id '${input.legacyId}' is not a valid id: imported as ${id}`);

  const rawType = reader.text('work_type');
  const type = typeFor(rawType);
  if (type === rawType) reader.consume('work_type');
  const rawDescription = reader.text('description');
  const text = titleFor(rawDescription, type);
  let description = text.description;
  if (description !== undefined && description.length > MAX_DESCRIPTION) {
    notes.push(`description longer than ${MAX_DESCRIPTION} characters: cut (whole text in metadata.legacy)`);
    description = description.slice(0, MAX_DESCRIPTION);
  } else if (rawDescription !== undefined && rawDescription.trim().length > 0) {
    reader.consume('description');
  }
  const team = readTeam(reader);
  const rawPriority = reader.text('priority');
  const priority = priorityFrom(rawPriority, notes);
  if (priority === rawPriority) reader.consume('priority');

  const rawAgent = reader.text('agent_id');
  const agentId = rawAgent === undefined || rawAgent === '' ? undefined : agentIdFor(rawAgent);
  const claimedAt = reader.timestamp('claimed_at');
  const lastUpdate = reader.timestamp('last_update');
  const recordCompletedAt = reader.timestamp('completed_at');
  const createdAt = reader.timestamp('created_at');
  const rawResult = reader.text('result');
  const createdBy = reader.text('created_by');
  const progress = clampProgress(reader.number('progress'), notes);
  if (progress === input.raw.progress) reader.consume('progress');

  const fromLog = input.completionFromLog;
  let { status, note } = statusFrom(reader.text('status'), rawResult, {
    completedAt: recordCompletedAt,
    agentId,
  });
  if (note) notes.push(note);
  let result = rawResult;
  let completedAt = recordCompletedAt;
  if (fromLog !== undefined && isHeld(status)) {
    status = fromLog.result === LEGACY_FAILED ? WorkStatus.Failed : WorkStatus.Completed;
    result = fromLog.result;
    completedAt = fromLog.at;
    notes.push(
      `completed by ${fromLog.source.file} record ${fromLog.source.index} (the fast path never records completions in its own file)`,
    );
  }
  if (isHeld(status) && agentId === undefined) {
    notes.push(`status '${String(input.raw.status)}' without an agent: imported as ready`);
    status = WorkStatus.Ready;
  }

  const times = [createdAt, claimedAt, lastUpdate, recordCompletedAt, completedAt].filter(
    (time): time is string => time !== undefined,
  );
  const idTime = timeFromLegacyId(input.legacyId);
  const created = earliest([...times, idTime]) ?? input.fileModifiedAt;
  if (created === createdAt) reader.consume('created_at');
  const updated = latest([...times, created]) as string;

  const record: ImportWork = {
    id,
    type,
    title: text.title,
    ...(description === undefined ? {} : { description }),
    team,
    priority,
    status,
    progress,
    attempts: status === WorkStatus.Failed ? 1 : 0,
    createdAt: created,
    updatedAt: updated,
  };
  if (status === WorkStatus.Completed || status === WorkStatus.Failed) {
    record.completedAt = completedAt ?? updated;
    if (completedAt === undefined) notes.push(`no completed_at: completedAt set to ${updated}`);
    else if (completedAt === recordCompletedAt) reader.consume('completed_at');
    if (result !== undefined) {
      record.result = result.length > MAX_RESULT ? result.slice(0, MAX_RESULT) : result;
      if (result === rawResult && result.length <= MAX_RESULT) reader.consume('result');
    }
  }
  if (isHeld(status) && agentId !== undefined) {
    record.claim = { agentId, claimedAt: claimedAt ?? created };
    if (claimedAt === undefined) notes.push(`no claimed_at: claimedAt set to ${created}`);
    else reader.consume('claimed_at');
    if (agentId === rawAgent) reader.consume('agent_id');
  }
  record.metadata = { legacy: reader.leftover(), legacySource: input.source.file };

  return {
    work: { id, record, source: input.source, notes },
    ...(agentId === undefined ? {} : { agentId }),
    ...(claimedAt === undefined ? {} : { claimedAt }),
    ...(record.completedAt === undefined ? {} : { completedAt: record.completedAt }),
    times,
    ...(createdBy ? { createdBy } : {}),
  };
};
