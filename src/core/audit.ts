import type { Actor, AuditEvent, EntityType, JsonObject } from './model';
import type { IdGenerator } from './ports';
import { iso } from './time';

/** Who is changing things, when, and for which request: everything an audit event needs besides the change. */
export interface ChangeContext {
  readonly now: Date;
  readonly actor: Actor;
  /** The `x-request-id` of the request that caused the change (absent for system work). */
  readonly requestId?: string;
  readonly ids: Pick<IdGenerator, 'eventId'>;
}

/** The part of an audit event a decision supplies. */
export interface EventFields {
  readonly action: string;
  readonly entityType: EntityType;
  readonly entityId: string;
  /** The entity's version after the change. */
  readonly seq: number;
  readonly agentId?: string;
  readonly team?: string;
  readonly before?: JsonObject;
  readonly after?: JsonObject;
}

/** An audit event stamped with id, time, actor and request id. */
export const auditEvent = (ctx: ChangeContext, fields: EventFields): AuditEvent => {
  const event: AuditEvent = { id: ctx.ids.eventId(), at: iso(ctx.now), actor: ctx.actor, ...fields };
  return ctx.requestId === undefined ? event : { ...event, requestId: ctx.requestId };
};

const isSame = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The fields that differ between two snapshots, as `{before, after}` holding only those fields.
 * A field absent on one side is recorded as `null` there, so the event shows it appeared or went.
 */
export const changedFields = (
  before: JsonObject,
  after: JsonObject,
): { before: JsonObject; after: JsonObject } => {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const changed = keys.filter((key) => !isSame(before[key], after[key]));
  return {
    before: Object.fromEntries(changed.map((key) => [key, before[key] ?? null])),
    after: Object.fromEntries(changed.map((key) => [key, after[key] ?? null])),
  };
};

/** A copy without the keys whose value is `undefined` (stored snapshots stay small and JSON-clean). */
export const withoutUndefined = <T extends object>(record: T): T =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
