import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoPorts } from '#adapters/dynamo/index';
import { UnavailableError } from '#core/errors';
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
  it('records each team once and lists them sorted', async () => {
    const scoped = await createTestStore('teams');
    try {
      expect(await scoped.ports.teams.list()).toEqual([]);

      await Promise.all(
        ['web', 'core', 'web', 'data', 'core'].map((team) => scoped.ports.teams.ensure(team)),
      );

      expect(await scoped.ports.teams.list()).toEqual(['core', 'data', 'web']);
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
