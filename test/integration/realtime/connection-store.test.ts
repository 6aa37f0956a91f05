import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionStore } from '#adapters/dynamo/index';
import type { ConnectionStore } from '#core/realtime/ports';
import { Role } from '#core/roles';
import { unique } from '#test/support/builders';
import { createTestStore, type TestStore } from '#test/support/dynamo';

// DynamoDB Local removes rows whose TTL has passed, so the expiry is in the real future.
const EXPIRES_AT = new Date(Math.ceil(Date.now() / 1000) * 1000 + 86_400_000).toISOString();

const connection = (id: string) => ({
  id,
  principal: { role: Role.Agent, id: 'builder-1', agentId: 'builder-1' },
  agentTeam: 'core',
  connectedAt: '2026-03-02T09:00:00.000Z',
  expiresAt: EXPIRES_AT,
});

describe('DynamoConnectionStore', () => {
  let store: TestStore;
  let connections: ConnectionStore;

  beforeAll(async () => {
    store = await createTestStore('connections');
    connections = createConnectionStore(store.client, store.tablePrefix);
  });

  afterAll(async () => {
    await store?.cleanup();
  });

  it('keeps a connection with its principal, team, expiry and implicit channels', async () => {
    const id = `c-${unique()}`;

    await connections.add(connection(id), ['inbox:builder-1']);

    expect(await connections.get(id)).toEqual(connection(id));
    expect(await connections.channelsOf(id)).toEqual(['inbox:builder-1']);
    expect((await connections.subscribersOf('inbox:builder-1', { limit: 100 })).items).toContain(id);
  });

  it('joins and leaves channels, each once', async () => {
    const id = `c-${unique()}`;
    const channel = `team:${unique()}`;
    await connections.add(connection(id), []);

    await connections.subscribe(id, [channel, 'all']);
    await connections.subscribe(id, [channel]);
    await connections.unsubscribe(id, ['all', 'work:never-joined']);

    expect(await connections.channelsOf(id)).toEqual([channel]);
    expect((await connections.subscribersOf(channel, { limit: 100 })).items).toEqual([id]);
  });

  it('does not subscribe a connection it does not know', async () => {
    const id = `c-${unique()}`;
    const channel = `team:${unique()}`;

    await connections.subscribe(id, [channel]);

    expect((await connections.subscribersOf(channel, { limit: 100 })).items).toEqual([]);
  });

  it('lists a channel’s subscribers a page at a time', async () => {
    const channel = `team:${unique()}`;
    const ids = Array.from({ length: 7 }, () => `c-${unique()}`);
    for (const id of ids) await connections.add(connection(id), [channel]);

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await connections.subscribersOf(channel, { limit: 3, ...(cursor && { cursor }) });
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);

    expect(seen.sort()).toEqual([...ids].sort());
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('forgets a connection with every subscription, and forgetting twice is harmless', async () => {
    const id = `c-${unique()}`;
    const channel = `team:${unique()}`;
    await connections.add(connection(id), ['inbox:builder-1', channel]);

    await connections.remove(id);
    await connections.remove(id);

    expect(await connections.get(id)).toBeUndefined();
    expect(await connections.channelsOf(id)).toEqual([]);
    expect((await connections.subscribersOf(channel, { limit: 100 })).items).toEqual([]);
  });

  it('gives each channel a connection joins or leaves a new version, and leaves other channels alone', async () => {
    const id = `c-${unique()}`;
    const [joined, left, untouched] = [`team:${unique()}`, `work:${unique()}`, `team:${unique()}`];
    const other = `c-${unique()}`;
    await connections.add(connection(other), [untouched]);
    const tokens = async () => {
      const versions = await connections.channelVersions([joined, left, untouched, `agent:${unique()}`]);
      return [joined, left, untouched].map((channel) => versions.get(channel)?.token);
    };
    const before = await tokens();

    await connections.add(connection(id), [left]);
    const added = await tokens();
    await connections.subscribe(id, [joined]);
    const subscribed = await tokens();
    await connections.unsubscribe(id, [left]);
    const unsubscribed = await tokens();
    await connections.remove(id);
    const removed = await tokens();

    expect(before).toEqual([undefined, undefined, expect.any(String)]);
    expect(added[1]).toEqual(expect.any(String));
    expect(subscribed[0]).toEqual(expect.any(String));
    expect(subscribed[1]).toBe(added[1]);
    expect(unsubscribed[1]).not.toBe(subscribed[1]);
    expect(unsubscribed[0]).toBe(subscribed[0]);
    expect(removed[0]).not.toBe(unsubscribed[0]);
    expect([added, subscribed, unsubscribed, removed].map((each) => each[2])).toEqual(
      Array(4).fill(before[2]),
    );
    const [version] = (await connections.channelVersions([joined])).values();
    expect(Math.abs((version?.changedAtMs ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it('reads the versions of more channels than one batch read takes', async () => {
    const id = `c-${unique()}`;
    const channels = Array.from({ length: 130 }, () => `work:${unique()}`);
    await connections.add(connection(id), []);
    await connections.subscribe(id, channels);

    const versions = await connections.channelVersions([...channels, ...channels]);

    expect([...versions.keys()].sort()).toEqual([...channels].sort());
  });
});
