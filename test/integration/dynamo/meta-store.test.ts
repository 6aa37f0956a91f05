import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDynamoPorts } from '#adapters/dynamo/index';
import { teamKey, teamsKey } from '#adapters/dynamo/keys';
import { DynamoTeamRepository } from '#adapters/dynamo/meta-store';
import { metaTable, tableName } from '#adapters/dynamo/tables';
import { encodeCursor } from '#core/cursor';
import { UnavailableError, ValidationError } from '#core/errors';
import type { TeamRepository } from '#core/ports';
import { unique } from '#test/support/builders';
import { fixedClock } from '#test/support/clock';
import { createTestStore, type TestStore } from '#test/support/dynamo';

let store: TestStore;

beforeAll(async () => {
  // The clock starts at the real time: DynamoDB Local deletes rows whose TTL attribute is in the
  // real past, so a reservation made on a clock fixed in the past could vanish mid-test.
  store = await createTestStore('meta', { clock: fixedClock(new Date().toISOString()) });
});

afterAll(async () => {
  await store.cleanup();
});

const nowSeconds = (): number => Math.floor(store.clock.now().getTime() / 1000);

describe('idempotency', () => {
  it('reserves a free key and then reports the reservation to a second caller', async () => {
    const key = `tok_1:POST:/v1/work:${unique()}`;

    const first = await store.ports.idempotency.reserve(key, 'body-hash', nowSeconds() + 86_400);
    const second = await store.ports.idempotency.reserve(key, 'other-hash', nowSeconds() + 86_400);

    expect(first).toBeUndefined();
    expect(second).toEqual({ state: 'in_progress', fingerprint: 'body-hash' });
  });

  it('replays a completed answer', async () => {
    const key = `k-${unique()}`;
    await store.ports.idempotency.reserve(key, 'body-hash', nowSeconds() + 86_400);

    await store.ports.idempotency.complete(key, 201, '{"id":"wi_1"}', nowSeconds() + 86_400);
    const replay = await store.ports.idempotency.reserve(key, 'body-hash', nowSeconds() + 86_400);

    expect(replay).toEqual({
      state: 'done',
      fingerprint: 'body-hash',
      statusCode: 201,
      body: '{"id":"wi_1"}',
    });
  });

  it('frees a released key so a retry runs again', async () => {
    const key = `k-${unique()}`;
    await store.ports.idempotency.reserve(key, 'body-hash', nowSeconds() + 86_400);

    await store.ports.idempotency.release(key);
    const retry = await store.ports.idempotency.reserve(key, 'body-hash', nowSeconds() + 86_400);

    expect(retry).toBeUndefined();
  });

  it('keeps a completed answer when a late release arrives', async () => {
    const key = `k-${unique()}`;
    await store.ports.idempotency.reserve(key, 'h', nowSeconds() + 86_400);
    await store.ports.idempotency.complete(key, 200, '{}', nowSeconds() + 86_400);

    await store.ports.idempotency.release(key);

    expect(await store.ports.idempotency.reserve(key, 'h', nowSeconds() + 86_400)).toMatchObject({
      state: 'done',
    });
  });

  it('treats an expired record that is not yet deleted as free', async () => {
    const key = `k-${unique()}`;
    await store.ports.idempotency.reserve(key, 'old', nowSeconds() + 60);
    store.clock.advance(120);

    const fresh = await store.ports.idempotency.reserve(key, 'new', nowSeconds() + 86_400);
    const after = await store.ports.idempotency.reserve(key, 'newer', nowSeconds() + 86_400);

    expect(fresh).toBeUndefined();
    expect(after).toEqual({ state: 'in_progress', fingerprint: 'new' });
  });

  it('keeps a completed answer past its reservation, until the time complete gives', async () => {
    const key = `k-${unique()}`;
    await store.ports.idempotency.reserve(key, 'h', nowSeconds() + 60);
    await store.ports.idempotency.complete(key, 201, '{}', nowSeconds() + 86_400);
    store.clock.advance(120);

    const replay = await store.ports.idempotency.reserve(key, 'h', nowSeconds() + 60);

    expect(replay).toMatchObject({ state: 'done', statusCode: 201 });
  });

  it('ignores completing or releasing a key that holds nothing', async () => {
    const key = `k-${unique()}`;

    await store.ports.idempotency.complete(key, 200, '{}', nowSeconds() + 86_400);
    await store.ports.idempotency.release(key);

    expect(await store.ports.idempotency.reserve(key, 'h', nowSeconds() + 60)).toBeUndefined();
  });
});

describe('teams', () => {
  const docOf = (scoped: TestStore) => DynamoDBDocumentClient.from(scoped.client);
  const metaName = (scoped: TestStore) => tableName(scoped.tablePrefix, metaTable);
  const metaItem = async (scoped: TestStore, key: Record<string, string>) =>
    (
      await docOf(scoped).send(
        new GetCommand({ TableName: metaName(scoped), Key: key, ConsistentRead: true }),
      )
    ).Item;
  /** The one item earlier versions kept every team name in. */
  const putLegacyTeams = (scoped: TestStore, names: readonly string[]) =>
    docOf(scoped).send(
      new PutCommand({ TableName: metaName(scoped), Item: { ...teamsKey(), names: new Set(names) } }),
    );
  const allNames = async (teams: TeamRepository, limit: number): Promise<string[][]> => {
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await teams.list({ limit, ...(cursor === undefined ? {} : { cursor }) });
      pages.push(page.items);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return pages;
  };

  it('records each team once, in an item of its own, and lists them sorted', async () => {
    const scoped = await createTestStore('teams');
    try {
      expect(await scoped.ports.teams.list({ limit: 10 })).toEqual({ items: [] });

      await Promise.all(
        ['web', 'core', 'web', 'data', 'core'].map((team) => scoped.ports.teams.ensure(team)),
      );

      expect(await scoped.ports.teams.list({ limit: 10 })).toEqual({ items: ['core', 'data', 'web'] });
      expect(await metaItem(scoped, teamKey('web'))).toMatchObject({ pk: 'TEAM#web' });
      // No item holds every name: the one earlier versions grew is not written.
      expect(await metaItem(scoped, teamsKey())).toBeUndefined();
      // Team items share the token index in a partition of their own: token lists do not see them.
      expect(await scoped.ports.tokens.list({ limit: 10 })).toEqual({ items: [] });
    } finally {
      await scoped.cleanup();
    }
  });

  it('pages in name order with the limit and refuses a cursor of another list', async () => {
    const scoped = await createTestStore('teams-pages');
    try {
      const names = Array.from({ length: 7 }, (_, index) => `team-${index}`).reverse();
      for (const team of names) await scoped.ports.teams.ensure(team);

      const pages = await allNames(scoped.ports.teams, 3);

      expect(pages).toEqual([['team-0', 'team-1', 'team-2'], ['team-3', 'team-4', 'team-5'], ['team-6']]);
      await expect(
        scoped.ports.teams.list({ limit: 3, cursor: encodeCursor({ list: 'tokens' }, 'team-0') }),
      ).rejects.toThrow(ValidationError);
    } finally {
      await scoped.cleanup();
    }
  });

  it('writes a team a process already knows no more', async () => {
    const scoped = await createTestStore('teams-known');
    try {
      const doc = docOf(scoped);
      const teams = new DynamoTeamRepository(doc, metaName(scoped));
      const send = vi.spyOn(doc, 'send');

      await teams.ensure('busy');
      await teams.ensure('busy');
      await teams.ensure('busy');
      // Another process knows nothing yet: its write finds the item there and changes nothing.
      await new DynamoTeamRepository(doc, metaName(scoped)).ensure('busy');

      expect(send).toHaveBeenCalledTimes(2);
      expect((await teams.list({ limit: 5 })).items).toEqual(['busy']);
    } finally {
      await scoped.cleanup();
    }
  });

  it('still lists the teams an earlier version kept in one item, merged in name order', async () => {
    const scoped = await createTestStore('teams-legacy');
    try {
      await putLegacyTeams(scoped, ['alpha', 'delta', 'web']);
      for (const team of ['beta', 'web', 'zulu']) await scoped.ports.teams.ensure(team);

      const pages = await allNames(scoped.ports.teams, 2);

      expect(pages).toEqual([['alpha', 'beta'], ['delta', 'web'], ['zulu']]);
    } finally {
      await scoped.cleanup();
    }
  });

  it('moves the old item’s names to team items a bounded number at a time, then deletes it', async () => {
    const scoped = await createTestStore('teams-move');
    try {
      await putLegacyTeams(scoped, ['alpha', 'delta', 'web']);

      expect(await scoped.ports.teams.moveLegacy(2)).toBe(2);
      expect(await metaItem(scoped, teamKey('alpha'))).toBeDefined();
      expect(await metaItem(scoped, teamsKey())).toEqual({ ...teamsKey(), names: new Set(['web']) });
      expect(await allNames(scoped.ports.teams, 10)).toEqual([['alpha', 'delta', 'web']]);
      expect(await scoped.ports.teams.moveLegacy(2)).toBe(1);
      expect(await scoped.ports.teams.moveLegacy(2)).toBe(0);

      expect(await metaItem(scoped, teamsKey())).toBeUndefined();
      expect(await allNames(scoped.ports.teams, 10)).toEqual([['alpha', 'delta', 'web']]);
    } finally {
      await scoped.cleanup();
    }
  });
});

describe('store probe', () => {
  it('answers when the tables are there', async () => {
    await expect(store.ports.probe.ping()).resolves.toBeUndefined();
  });

  it('reports the store unavailable when its tables are missing', async () => {
    const missing = createDynamoPorts({
      client: store.client,
      tablePrefix: `absent-${unique()}`,
      readyShards: 1,
    });

    await expect(missing.probe.ping()).rejects.toThrow(UnavailableError);
  });
});
