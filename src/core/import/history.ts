import { auditEvent, type ChangeContext } from '../audit';
import { type Actor, type Agent, type AuditEvent, EntityType, type WorkItem } from '../model';
import type { Write } from '../ports';
import { ActorType } from '../roles';
import { epochMs } from '../time';
import { type ImportDecision, UNCHANGED } from './outcome';
import type { HistoryRecord } from './records';

/** The actor id of history whose source names nobody. */
export const IMPORT_ACTOR_ID = 'import';

/**
 * First `seq` of history about an entity that does not exist (a log entry for an item no
 * claim file holds). Far above any version an entity reaches, so an entity imported or
 * created later under that id never meets these events with its own.
 */
export const DETACHED_HISTORY_SEQ = 1_000_000_000;

/** The stored entity a history record is about, if it exists. */
export type HistoryEntity =
  | { readonly kind: 'work'; readonly record: WorkItem }
  | { readonly kind: 'agent'; readonly record: Agent };

/** What importing one history record needs to know besides the record. */
export interface HistoryFound {
  /** The entity the record names, if it exists. */
  readonly entity?: HistoryEntity;
  /** The audit events stored about that entity id. */
  readonly events: readonly AuditEvent[];
}

/** The audit actor of a history record: type `import`, id the record's actor (else `import`). */
export const historyActor = (record: HistoryRecord): Actor => ({
  type: ActorType.Import,
  id: record.actorId ?? IMPORT_ACTOR_ID,
});

/** Whether `event` is the import of `record`: same entity, action, time and actor (API.md "Import"). */
export const isSameHistory = (event: AuditEvent, record: HistoryRecord): boolean => {
  const actor = historyActor(record);
  return (
    event.entityId === record.entityId &&
    event.entityType === record.entityType &&
    event.action === record.action &&
    event.actor.type === actor.type &&
    event.actor.id === actor.id &&
    epochMs(event.at) === epochMs(record.at)
  );
};

/** The entity one version on: history is a change of its entity, so its `seq` is that version. */
const bumped = (entity: HistoryEntity): { write: Write; version: number; team: string } => {
  const version = entity.record.version + 1;
  const write: Write =
    entity.kind === 'work'
      ? { kind: 'work', item: { ...entity.record, version }, expectedVersion: entity.record.version }
      : { kind: 'agent', agent: { ...entity.record, version }, expectedVersion: entity.record.version };
  return { write, version, team: entity.record.team };
};

/** The next free `seq` for history about an entity that does not exist. */
const detachedSeq = (record: HistoryRecord, events: readonly AuditEvent[]): number =>
  events
    .filter((event) => event.entityType === record.entityType)
    .reduce((next, event) => Math.max(next, event.seq + 1), DETACHED_HISTORY_SEQ);

/**
 * Importing one history record as an audit event with its original time and an `import` actor
 * (`details` become its `after`). When the same event was imported before, `unchanged`. About
 * an existing entity, the event is a change of it: the entity is written one version on (its
 * content untouched) and the event's `seq` is that version, as for every other event. About an
 * entity that does not exist, it takes the next `seq` from {@link DETACHED_HISTORY_SEQ}.
 */
export const importHistory = (
  record: HistoryRecord,
  found: HistoryFound,
  ctx: ChangeContext,
): ImportDecision => {
  if (found.events.some((event) => isSameHistory(event, record))) return UNCHANGED;
  const entity = found.entity && bumped(found.entity);
  const actor = historyActor(record);
  const subject = record.entityType === EntityType.Agent ? record.entityId : record.actorId;
  const event = auditEvent(
    { ...ctx, now: new Date(epochMs(record.at)), actor },
    {
      action: record.action,
      entityType: record.entityType,
      entityId: record.entityId,
      seq: entity?.version ?? detachedSeq(record, found.events),
      ...(subject === undefined ? {} : { agentId: subject }),
      ...(entity === undefined ? {} : { team: entity.team }),
      ...(record.details === undefined ? {} : { after: record.details }),
    },
  );
  return {
    outcome: 'created',
    change: { writes: entity ? [entity.write] : [], events: [event] },
  };
};
