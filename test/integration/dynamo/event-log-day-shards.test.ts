import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DAY_SHARDS,
  dayShardOf,
  EventIndex,
  eventDayPartition,
  eventDayPartitions,
  eventKey,
} from '#adapters/dynamo/keys';
import { eventsTable, tableName } from '#adapters/dynamo/tables';
import { Action } from '#core/events';
import { type AuditEvent, EntityType } from '#core/model';
import type { AuditQuery } from '#core/ports';
import { anEvent } from '#test/support/builders';
import { fixedClock } from '#test/support/clock';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { allPages } from '#test/support/paging';

let store: TestStore;
let doc: DynamoDBDocumentClient;
let events: string;

/** 60 work items with events on three days, so every day spreads over many of its shards. */
const written: AuditEvent[] = [];
/** Events moved back to the unsharded day partition, as the day index stored them before sharding. */
const legacy: AuditEvent[] = [];

const at = (day: number, minute: number): string =>
  new Date(Date.UTC(2026, 2, day, 9, minute, day)).toISOString();

beforeAll(async () => {
  store = await createTestStore('audit-shards', { clock: fixedClock('2026-03-10T18:00:00.000Z') });
  doc = DynamoDBDocumentClient.from(store.client);
  events = tableName(store.tablePrefix, eventsTable);
  for (let item = 0; item < 60; item += 1) {
    const day = 3 + (item % 3);
    written.push(
      anEvent({
        at: at(day, item),
        entityType: EntityType.Work,
        entityId: `wi_${item}`,
        action: Action.WorkCreated,
      }),
    );
  }
  await store.ports.uow.commit({ writes: [], events: written });
  // Every fifth event, on every day, as an event written before the day index had shards.
  for (const event of written.filter((_, index) => index % 5 === 0)) {
    legacy.push(event);
    await doc.send(
      new UpdateCommand({
        TableName: events,
        Key: eventKey(event.entityType, event.entityId, event.seq),
        UpdateExpression: 'SET #day = :day',
        ExpressionAttributeNames: { '#day': EventIndex.byDay.partitionKey },
        ExpressionAttributeValues: { ':day': eventDayPartition(event.at.slice(0, 10)) },
      }),
    );
  }
});

afterAll(async () => {
  await store.cleanup();
});

const newestFirst = (list: readonly AuditEvent[]): string[] =>
  [...list].sort((a, b) => b.at.localeCompare(a.at)).map((event) => event.id);

const listed = async (query: Omit<AuditQuery, 'cursor'>): Promise<{ ids: string[]; sizes: number[] }> => {
  const pages = await allPages((q: AuditQuery) => store.ports.audit.list(q), query);
  return {
    ids: pages.flatMap((page) => page.items.map((event) => event.id)),
    sizes: pages.map((page) => page.items.length),
  };
};

const partitionSizes = async (day: string): Promise<number[]> =>
  Promise.all(
    eventDayPartitions(day).map(async (partition) => {
      const result = await doc.send(
        new QueryCommand({
          TableName: events,
          IndexName: EventIndex.byDay.indexName,
          KeyConditionExpression: '#day = :day',
          ExpressionAttributeNames: { '#day': EventIndex.byDay.partitionKey },
          ExpressionAttributeValues: { ':day': partition },
          Select: 'COUNT',
        }),
      );
      return result.Count ?? 0;
    }),
  );

describe('the day index, sharded', () => {
  it('writes a day’s events to the shard of their entity, over several shards', async () => {
    const sizes = await partitionSizes('2026-03-04');
    const legacyOfDay = legacy.filter((event) => event.at.startsWith('2026-03-04')).length;

    expect(sizes).toHaveLength(DAY_SHARDS + 1);
    expect(sizes.at(-1)).toBe(legacyOfDay);
    expect(sizes.slice(0, DAY_SHARDS).filter((size) => size > 0).length).toBeGreaterThan(4);
    for (const event of written.filter((e) => e.at.startsWith('2026-03-04') && !legacy.includes(e))) {
      expect(dayShardOf(event.entityId)).toBeLessThan(DAY_SHARDS);
    }
  });

  it('lists every event, sharded and unsharded, newest first, page by page with bounded pages', async () => {
    const { ids, sizes } = await listed({ limit: 7 });

    expect(ids).toEqual(newestFirst(written));
    expect(sizes.every((size) => size <= 7)).toBe(true);
    expect(sizes.slice(0, -1).every((size) => size === 7)).toBe(true);
  });

  it('keeps to a time window across shards and the unsharded partition', async () => {
    const since = at(4, 10);
    const until = at(5, 40);
    const { ids } = await listed({ since, until, limit: 4 });

    expect(ids).toEqual(newestFirst(written.filter((event) => event.at >= since && event.at <= until)));
  });

  it('lists the events that only the unsharded partition holds', async () => {
    const day = legacy.filter((event) => event.at.startsWith('2026-03-05'));
    const { ids } = await listed({ since: at(5, 0), until: at(5, 59), limit: 100 });

    expect(ids).toEqual(expect.arrayContaining(day.map((event) => event.id)));
    expect(ids).toHaveLength(written.filter((event) => event.at.startsWith('2026-03-05')).length);
  });
});
