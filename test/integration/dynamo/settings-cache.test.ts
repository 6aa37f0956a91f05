import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoPorts, type DynamoPorts } from '#adapters/dynamo/index';
import { createTestStore, type TestStore } from '#test/support/dynamo';

let store: TestStore;
/** Another process of the same deployment, keeping the settings it reads for one second. */
let other: DynamoPorts;
/** This process, keeping them for a minute. */
let cached: DynamoPorts;

const putSettings = async (ports: DynamoPorts, leaseSeconds: number) => {
  const stored = await store.ports.settings.get();
  await ports.uow.commit({
    writes: [
      {
        kind: 'settings',
        settings: { leaseSeconds },
        version: (stored?.version ?? 0) + 1,
        expectedVersion: stored?.version ?? null,
      },
    ],
    events: [],
  });
};

beforeAll(async () => {
  store = await createTestStore('settings-cache');
  const options = { client: store.client, tablePrefix: store.tablePrefix, readyShards: 4 };
  other = createDynamoPorts({ ...options, settingsCacheSeconds: 1 });
  cached = createDynamoPorts({ ...options, settingsCacheSeconds: 60 });
});

afterAll(async () => {
  await store.cleanup();
});

describe('settings kept per process', () => {
  it('serves what it read while it keeps it, though another process wrote new settings', async () => {
    await putSettings(store.ports, 60);
    expect((await cached.settings.get())?.settings).toEqual({ leaseSeconds: 60 });

    await putSettings(store.ports, 90);

    expect((await cached.settings.get())?.settings).toEqual({ leaseSeconds: 60 });
    expect((await store.ports.settings.get())?.settings).toEqual({ leaseSeconds: 90 });
  });

  it('reads the new settings once what it kept expires', async () => {
    await other.settings.get();
    await putSettings(store.ports, 100);

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await other.settings.get())?.settings).toEqual({ leaseSeconds: 100 });
  });

  it('reads its own settings write at once', async () => {
    expect((await cached.settings.get())?.settings).toBeDefined();

    await putSettings(cached, 120);

    expect((await cached.settings.get())?.settings).toEqual({ leaseSeconds: 120 });
  });

  it('reads again at once after its own settings write was refused', async () => {
    await cached.settings.get();
    await putSettings(store.ports, 150);
    const refused = cached.uow.commit({
      writes: [{ kind: 'settings', settings: { leaseSeconds: 1 }, version: 1, expectedVersion: null }],
      events: [],
    });

    await expect(refused).rejects.toThrow();
    expect((await cached.settings.get())?.settings).toEqual({ leaseSeconds: 150 });
  });
});
