/**
 * History: audit events from the claim records, the completion log and the telemetry spans.
 * Log entries for unknown or repeated items are history, not state (LEGACY.md section 8), so
 * each becomes an event marked `unknownItem` or `repeated`.
 */
import { Action } from '#core/events';
import { WorkStatus } from '#core/work/status';
import { agentIdFor, FieldReader, LEGACY_FAILED, workIdFor } from './fields';
import type { ImportEvent } from './import-records';
import type { MappedClaim } from './map-work';
import { isObject, type NotImported, type Planned, type SourceRef } from './plan';

const SPAN_PROGRESS = 's2s.work.progress';
const SPAN_CLAIM = 's2s.work.claim';

/** A valid completion log entry. */
export interface LogEntry {
  readonly legacyWorkId: string;
  readonly workId: string;
  readonly at: string;
  readonly agentId?: string;
  readonly result?: string;
  readonly velocityPoints?: number;
  readonly source: SourceRef;
  readonly leftover: Record<string, unknown>;
}

/** Reads one `coordination_log.json` entry, or says why it cannot be used. */
export const readLogEntry = (value: unknown, source: SourceRef): LogEntry | NotImported => {
  if (!isObject(value)) return { kind: 'events', source, reason: 'not a JSON object', detail: 'log entry' };
  const reader = new FieldReader(value);
  const legacyWorkId = reader.text('work_item_id');
  if (legacyWorkId === undefined || legacyWorkId === '') {
    return { kind: 'events', source, reason: 'log entry without work_item_id' };
  }
  const at = reader.timestamp('completed_at');
  if (at === undefined) {
    return {
      kind: 'events',
      id: legacyWorkId,
      source,
      reason: 'log entry without a valid completed_at',
      detail: String(value.completed_at),
    };
  }
  const agent = reader.text('agent_id');
  const result = reader.text('result');
  const velocityPoints = reader.number('velocity_points');
  reader.consume('work_item_id', 'completed_at', 'agent_id', 'result', 'velocity_points');
  return {
    legacyWorkId,
    workId: workIdFor(legacyWorkId),
    at,
    ...(agent ? { agentId: agentIdFor(agent) } : {}),
    ...(result === undefined ? {} : { result }),
    ...(velocityPoints === undefined ? {} : { velocityPoints }),
    source,
    leftover: reader.leftover(),
  };
};

const event = (fields: ImportEvent, source: SourceRef | undefined): Planned<ImportEvent> => ({
  id: `${fields.entityId} ${fields.action} ${fields.at}`,
  record: fields,
  ...(source === undefined ? {} : { source }),
  notes: [],
});

/** Events a claim record itself shows: its creation by another tool, its claim, an unlogged completion. */
export const claimEvents = (claim: MappedClaim, isLogged: boolean): Planned<ImportEvent>[] => {
  const { record, source } = claim.work;
  const base = { entityType: 'work' as const, entityId: record.id };
  const events: Planned<ImportEvent>[] = [];
  const legacySource = source?.file;
  if (claim.createdBy !== undefined) {
    events.push(
      event(
        {
          ...base,
          at: record.createdAt,
          actorId: claim.createdBy,
          action: Action.WorkCreated,
          details: { source: legacySource },
        },
        source,
      ),
    );
  }
  if (claim.agentId !== undefined && claim.claimedAt !== undefined) {
    events.push(
      event(
        {
          ...base,
          at: claim.claimedAt,
          actorId: claim.agentId,
          action: Action.WorkClaimed,
          details: { source: legacySource },
        },
        source,
      ),
    );
  }
  if (claim.completedAt !== undefined && !isLogged) {
    events.push(
      event(
        {
          ...base,
          at: claim.completedAt,
          ...(claim.agentId === undefined ? {} : { actorId: claim.agentId }),
          action: record.status === WorkStatus.Failed ? Action.WorkFailed : Action.WorkCompleted,
          details: {
            source: legacySource,
            ...(record.result === undefined ? {} : { result: record.result }),
          },
        },
        source,
      ),
    );
  }
  return events;
};

/** One event per log entry; `repeated` after an item's first entry, `unknownItem` without a claim record. */
export const logEvents = (
  entries: readonly LogEntry[],
  knownWorkIds: ReadonlySet<string>,
): Planned<ImportEvent>[] => {
  const seen = new Set<string>();
  return entries.map((entry) => {
    const repeated = seen.has(entry.workId);
    seen.add(entry.workId);
    return event(
      {
        at: entry.at,
        ...(entry.agentId === undefined ? {} : { actorId: entry.agentId }),
        action: entry.result === LEGACY_FAILED ? Action.WorkFailed : Action.WorkCompleted,
        entityType: 'work',
        entityId: entry.workId,
        details: {
          source: entry.source.file,
          ...(entry.result === undefined ? {} : { result: entry.result }),
          ...(entry.velocityPoints === undefined ? {} : { velocityPoints: entry.velocityPoints }),
          ...(repeated ? { repeated: true } : {}),
          ...(knownWorkIds.has(entry.workId) ? {} : { unknownItem: true }),
          ...(entry.workId === entry.legacyWorkId ? {} : { legacyWorkId: entry.legacyWorkId }),
          ...(Object.keys(entry.leftover).length > 0 ? { legacy: entry.leftover } : {}),
        },
      },
      entry.source,
    );
  });
};

const spanText = (attributes: Record<string, unknown>, key: string): string | undefined => {
  const value = attributes[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/**
 * One telemetry span -> a history event, or why it is left out. Progress spans are the only
 * record of progress history; a claim span adds something only when its item has no claim
 * record (the script printed SUCCESS but stored nothing, e.g. a description with a quote).
 */
export const spanEvent = (
  value: unknown,
  source: SourceRef,
  knownWorkIds: ReadonlySet<string>,
): Planned<ImportEvent> | NotImported => {
  if (!isObject(value)) return { kind: 'events', source, reason: 'not a JSON object', detail: 'span' };
  const reader = new FieldReader(value);
  const operation = reader.text('operation_name') ?? '(none)';
  const attributes = isObject(value.span_attributes) ? value.span_attributes : {};
  const legacyWorkId = spanText(attributes, 's2s.work_item_id');
  const at = reader.timestamp('start_time');
  if (operation !== SPAN_PROGRESS && operation !== SPAN_CLAIM) {
    return { kind: 'events', source, reason: 'span records no work or agent change', detail: operation };
  }
  if (legacyWorkId === undefined) {
    const status = spanText(attributes, 's2s.status') ?? String(value.status);
    return {
      kind: 'events',
      source,
      reason: 'span without a work item id',
      detail: `${operation}, status ${status}`,
    };
  }
  if (at === undefined) {
    return {
      kind: 'events',
      id: legacyWorkId,
      source,
      reason: 'span without a valid start_time',
      detail: operation,
    };
  }
  const workId = workIdFor(legacyWorkId);
  const unknownItem = !knownWorkIds.has(workId);
  const traceId = reader.text('trace_id');
  const common = {
    at,
    entityType: 'work' as const,
    entityId: workId,
  };
  if (operation === SPAN_CLAIM) {
    if (!unknownItem) {
      return {
        kind: 'events',
        id: legacyWorkId,
        source,
        reason: 'claim span: the claim record holds the same claim',
      };
    }
    const agent = spanText(attributes, 's2s.agent_id');
    return event(
      {
        ...common,
        ...(agent === undefined ? {} : { actorId: agentIdFor(agent) }),
        action: Action.WorkClaimed,
        details: {
          source: source.file,
          notStored: true,
          workType: attributes['s2s.work_type'],
          team: attributes['s2s.team'],
          priority: attributes['s2s.priority'],
          traceId,
        },
      },
      source,
    );
  }
  return event(
    {
      ...common,
      action: Action.WorkProgress,
      details: {
        source: source.file,
        progress: attributes['s2s.progress_percent'],
        status: attributes['s2s.status'],
        traceId,
        ...(unknownItem ? { unknownItem: true } : {}),
      },
    },
    source,
  );
};

/** Why the Phoenix event file adds nothing: its entries name no work item. */
export const PHOENIX_EVENT_REASON = 'phoenix event: names no work item (claims and log hold the same facts)';
