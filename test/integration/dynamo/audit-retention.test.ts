import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventKey } from '#adapters/dynamo/keys';
import { eventsTable, tableName } from '#adapters/dynamo/tables';
import { EntityType } from '#core/model';
import { anEvent } from '#test/support/builders';
import { fixedClock } from '#test/support/clock';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { allPages } from '#test/support/paging';

const NOW = '2026-12-04T12:00:00.000Z';
let store: TestStore;

beforeAll(async () => {
  store = await createTestStore('audit-retention', { clock: fixedClock(NOW) });
});

afterAll(async () => {
  await store.cleanup();
});

describe('audit retention and reach', () => {
  it('keeps an event for the retention counted from when it was recorded, however old its own time', async () => {
    const old = anEvent({
      at: '2019-03-01T10:00:00.000Z',
      entityType: EntityType.Work,
      entityId: 'wi_ancient',
      seq: 1,
    });

    await store.ports.uow.commit({ writes: [], events: [old] });
    const doc = DynamoDBDocumentClient.from(store.client);
    const stored = await doc.send(
      new GetCommand({
        TableName: tableName(store.tablePrefix, eventsTable),
        Key: eventKey(old.entityType, old.entityId, old.seq),
      }),
    );

    expect(stored.Item?.expiresAt).toBe(Date.parse(NOW) / 1000 + 400 * 86_400);
  });

  it('lists events years apart newest first without filters, every one of them', async () => {
    const spread = [
      '2018-07-04T00:00:00.000Z',
      '2021-01-01T12:00:00.000Z',
      '2025-06-15T08:30:00.000Z',
      NOW,
    ].map((at, index) =>
      anEvent({ at, entityType: EntityType.Work, entityId: `wi_spread_${index}`, seq: 1 }),
    );
    await store.ports.uow.commit({ writes: [], events: spread });

    const pages = await allPages((query) => store.ports.audit.list(query), { limit: 2 });
    const times = pages.flatMap((page) => page.items.map((event) => event.at));

    expect(times).toEqual([
      NOW,
      '2025-06-15T08:30:00.000Z',
      '2021-01-01T12:00:00.000Z',
      '2019-03-01T10:00:00.000Z',
      '2018-07-04T00:00:00.000Z',
    ]);
    const since = await store.ports.audit.list({ limit: 10, since: '2020-01-01T00:00:00.000Z' });
    expect(since.items.map((event) => event.at)).toEqual([
      NOW,
      '2025-06-15T08:30:00.000Z',
      '2021-01-01T12:00:00.000Z',
    ]);
  });
});
