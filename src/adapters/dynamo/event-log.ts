import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor, isKeyOf, isObject } from '#core/cursor';
import { ValidationError } from '#core/errors';
import type { AuditEvent } from '#core/model';
import type { AuditLog, AuditQuery, EventPosition, Page } from '#core/ports';
import { ActorType } from '#core/roles';
import type { DynamoAuditDays } from './audit-days';
import { allOf, anyOf, Expression } from './expression';
import {
  dayOf,
  EventIndex,
  eventActorPartition,
  eventAgentPartition,
  eventDayPartitions,
  eventPartition,
  eventTimeCeiling,
  eventTimeKey,
  type IndexKeys,
  PK,
  SK,
  sortableTime,
} from './keys';
import { collect, type QuerySpec, type StoredItem } from './query';
import { eventFromItem, eventTimeKeyOf } from './records';

/**
 * The day walk reads this many days at once at most; it starts with one and doubles. Each day is
 * `DAY_SHARDS` + 1 queries, so a batch stays under about 70 queries in flight.
 */
const MAX_DAYS_AT_ONCE = 4;

/** The time window of a read: `since` and `until` inclusive, `before` (a cursor's time key) exclusive. */
interface TimeRange {
  readonly since?: string;
  readonly until?: string;
  readonly before?: string;
}

/** Where a time-ordered list stopped: the time key of the last event returned. */
interface TimePosition {
  readonly b: string;
}

/** A time key starts with the event's instant in UTC, to the millisecond. */
const TIME_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#/;

const isTimePosition = (value: unknown): value is TimePosition =>
  isObject(value) &&
  Object.keys(value).length === 1 &&
  typeof value.b === 'string' &&
  TIME_KEY.test(value.b) &&
  !Number.isNaN(Date.parse(value.b.slice(0, 24)));

/** Where an entity's list stopped: the table key of the last event returned. */
interface EntityPosition {
  readonly e: Record<string, string>;
}

/** A position in that entity's partition. */
const isEntityPosition =
  (entityId: string) =>
  (value: unknown): value is EntityPosition =>
    isObject(value) && isKeyOf(value.e, [PK, SK]) && value.e[PK] === eventPartition(entityId);

/** Time bounds decide which partitions are read, so one that is not a timestamp is refused up front. */
const assertTime = (field: string, value: string | undefined): void => {
  if (value !== undefined && Number.isNaN(Date.parse(value))) {
    throw new ValidationError([{ path: `/${field}`, message: 'must be an ISO 8601 timestamp' }]);
  }
};

/** Newest first by time key, each event once. */
const newestFirst = (items: readonly StoredItem[]): StoredItem[] => {
  const unique = new Map(items.map((item) => [eventTimeKeyOf(item), item]));
  return [...unique.entries()].sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0)).map(([, item]) => item);
};

/**
 * The audit log in the Events table. An entity's events come from its partition; an agent's
 * from the subject and actor indexes merged; an actor's from the actor index; everything else
 * from the day index, walked over the days that hold events (`DynamoAuditDays`), newest first,
 * however old, down to `since` when given.
 */
export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly days: DynamoAuditDays,
  ) {}

  /** @throws ValidationError when `since`, `until` or the cursor is not one this log understands. */
  async list(query: AuditQuery): Promise<Page<AuditEvent>> {
    assertTime('since', query.since);
    assertTime('until', query.until);
    if (query.entityId !== undefined) return this.listEntity(query.entityId, query);
    const scope = {
      list: 'audit.byTime',
      filters: { actorId: query.actorId, agentId: query.agentId, since: query.since, until: query.until },
    };
    const before = decodeCursor(query.cursor, scope, isTimePosition)?.b;
    const range: TimeRange = {
      ...(query.since !== undefined && { since: sortableTime(query.since) }),
      ...(query.until !== undefined && { until: sortableTime(query.until) }),
      ...(before !== undefined && { before }),
    };
    const wanted = query.limit + 1;
    let found: StoredItem[];
    if (query.agentId !== undefined) found = await this.byAgent(query.agentId, query.actorId, range, wanted);
    else if (query.actorId !== undefined) {
      found = await this.fromIndex(EventIndex.byActor, eventActorPartition(query.actorId), range, wanted);
    } else found = await this.walkDays(range, wanted);
    const events = newestFirst(found);
    const page = events.slice(0, query.limit);
    const last = page.at(-1);
    const items = page.map(eventFromItem);
    return events.length > query.limit && last
      ? { items, nextCursor: encodeCursor(scope, { b: eventTimeKeyOf(last) }) }
      : { items };
  }

  /**
   * Oldest first from the day index: the days holding events from the position's day to
   * `until`'s, each read forward from just after the position, until `limit` events.
   */
  async after(position: EventPosition, until: string, limit: number): Promise<AuditEvent[]> {
    assertTime('after', position.at);
    assertTime('until', until);
    const from = eventTimeKey(position.at, position.entityType, position.entityId, position.seq);
    const upper = eventTimeCeiling(until);
    if (from >= upper || limit <= 0) return [];
    const days: string[] = [];
    for await (const day of this.days.days(dayOf(until), dayOf(position.at))) days.unshift(day);
    const found: StoredItem[] = [];
    for (const day of days) {
      const wanted = limit - found.length;
      if (wanted <= 0) break;
      // Each shard of the day (and the unsharded partition of older events) is read forward;
      // their smallest keys, merged, are the day's next events.
      const shards = await Promise.all(
        eventDayPartitions(day).map((partition) => {
          const expression = new Expression();
          const key = expression.name(EventIndex.byDay.sortKey);
          const spec: QuerySpec = {
            TableName: this.tableName,
            IndexName: EventIndex.byDay.indexName,
            KeyConditionExpression: allOf(
              `${expression.name(EventIndex.byDay.partitionKey)} = ${expression.value(partition)}`,
              `${key} BETWEEN ${expression.value(from)} AND ${expression.value(upper)}`,
            ),
            ...expression.attributes(),
            ScanIndexForward: true,
          };
          // BETWEEN is inclusive: the position's own event is read again and dropped here.
          return collect(this.doc, spec, wanted, { accept: (item) => eventTimeKeyOf(item) !== from });
        }),
      );
      const merged = shards
        .flatMap(({ items }) => items)
        .sort((a, b) => (eventTimeKeyOf(a) < eventTimeKeyOf(b) ? -1 : 1));
      found.push(...merged.slice(0, wanted));
    }
    return found.map(eventFromItem);
  }

  /** Events of one entity, newest first, from its partition; other filters apply to what it reads. */
  private async listEntity(entityId: string, query: AuditQuery): Promise<Page<AuditEvent>> {
    const scope = {
      list: 'audit.byEntity',
      filters: {
        entityId,
        actorId: query.actorId,
        agentId: query.agentId,
        since: query.since,
        until: query.until,
      },
    };
    const start = decodeCursor(query.cursor, scope, isEntityPosition(entityId));
    const expression = new Expression();
    // Names are registered only when a filter uses them: DynamoDB refuses unused ones.
    const time = () => expression.name(EventIndex.byDay.sortKey);
    const actorKey = () => expression.name(EventIndex.byActor.partitionKey);
    const spec: QuerySpec = {
      TableName: this.tableName,
      KeyConditionExpression: `${expression.name(PK)} = ${expression.value(eventPartition(entityId))}`,
      FilterExpression: allOf(
        query.since !== undefined && `${time()} >= ${expression.value(sortableTime(query.since))}`,
        query.until !== undefined && `${time()} <= ${expression.value(eventTimeCeiling(query.until))}`,
        query.actorId !== undefined &&
          `${actorKey()} = ${expression.value(eventActorPartition(query.actorId))}`,
        query.agentId !== undefined &&
          anyOf(
            `${expression.name(EventIndex.byAgent.partitionKey)} = ${expression.value(eventAgentPartition(query.agentId))}`,
            `${actorKey()} = ${expression.value(eventActorPartition(query.agentId))} AND ${expression.path('actor', 'type')} = ${expression.value(ActorType.Agent)}`,
          ),
      ),
      ...expression.attributes(),
      ScanIndexForward: false,
    };
    const { items: found } = await collect(this.doc, spec, query.limit + 1, { startKey: start?.e });
    const page = found.slice(0, query.limit);
    const last = page.at(-1);
    const items = page.map(eventFromItem);
    return found.length > query.limit && last
      ? { items, nextCursor: encodeCursor(scope, { e: { [PK]: String(last[PK]), [SK]: String(last[SK]) } }) }
      : { items };
  }

  /** Events whose subject or (agent) actor is `agentId`: both indexes, merged by the caller. */
  private async byAgent(
    agentId: string,
    actorId: string | undefined,
    range: TimeRange,
    wanted: number,
  ): Promise<StoredItem[]> {
    const asSubject = this.fromIndex(EventIndex.byAgent, eventAgentPartition(agentId), range, wanted, (e) =>
      actorId === undefined
        ? undefined
        : `${e.name(EventIndex.byActor.partitionKey)} = ${e.value(eventActorPartition(actorId))}`,
    );
    const asActor =
      actorId === undefined || actorId === agentId
        ? this.fromIndex(
            EventIndex.byActor,
            eventActorPartition(agentId),
            range,
            wanted,
            (e) => `${e.path('actor', 'type')} = ${e.value(ActorType.Agent)}`,
          )
        : Promise.resolve([]);
    return (await Promise.all([asSubject, asActor])).flat();
  }

  /** Up to `wanted` events of one partition of a time-ordered index, newest first. */
  private async fromIndex(
    index: IndexKeys,
    partition: string,
    range: TimeRange,
    wanted: number,
    filter: (expression: Expression) => string | undefined = () => undefined,
  ): Promise<StoredItem[]> {
    const upper = range.before ?? (range.until === undefined ? undefined : eventTimeCeiling(range.until));
    if (range.since !== undefined && upper !== undefined && range.since > upper) return [];
    const expression = new Expression();
    const key = () => expression.name(index.sortKey);
    let timeCondition: string | undefined;
    if (range.since !== undefined && upper !== undefined) {
      timeCondition = `${key()} BETWEEN ${expression.value(range.since)} AND ${expression.value(upper)}`;
    } else if (upper !== undefined) timeCondition = `${key()} <= ${expression.value(upper)}`;
    else if (range.since !== undefined) timeCondition = `${key()} >= ${expression.value(range.since)}`;
    const spec: QuerySpec = {
      TableName: this.tableName,
      IndexName: index.indexName,
      KeyConditionExpression: allOf(
        `${expression.name(index.partitionKey)} = ${expression.value(partition)}`,
        timeCondition,
      ),
      FilterExpression: filter(expression),
      ...expression.attributes(),
      ScanIndexForward: false,
    };
    const { items } = await collect(this.doc, spec, wanted, {
      // A cursor's own event is its page's last one; the inclusive bound would return it again.
      accept: range.before === undefined ? undefined : (item) => eventTimeKeyOf(item) !== range.before,
    });
    return items;
  }

  /**
   * Newest days first, over the days that hold events only, a growing number of days at once,
   * until `wanted` events or the oldest day. A day is read from its `DAY_SHARDS` partitions and
   * from its unsharded one (events written before the day index was sharded), merged by time key. Each day read holds events (unless they just
   * expired), so a page costs at most about `wanted` day reads, whatever the age of the events.
   */
  private async walkDays(range: TimeRange, wanted: number): Promise<StoredItem[]> {
    const newest = (range.before ?? range.until ?? '9999-12-31').slice(0, 10);
    const oldest = range.since === undefined ? '0000-01-01' : dayOf(range.since);
    const found: StoredItem[] = [];
    const days = this.days.days(newest, oldest);
    for (let batch = 1; found.length < wanted; batch = Math.min(batch * 2, MAX_DAYS_AT_ONCE)) {
      const next: string[] = [];
      while (next.length < batch) {
        const day = await days.next();
        if (day.done) break;
        next.push(day.value);
      }
      if (next.length === 0) break;
      const remaining = wanted - found.length;
      // Every shard of a day may hold the newest `remaining` events; the caller merges by time key.
      const pages = await Promise.all(
        next
          .flatMap(eventDayPartitions)
          .map((partition) => this.fromIndex(EventIndex.byDay, partition, range, remaining)),
      );
      found.push(...pages.flat());
    }
    return found;
  }
}
