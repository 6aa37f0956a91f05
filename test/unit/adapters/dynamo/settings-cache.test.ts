import { describe, expect, it } from 'vitest';
import { SettingsCache } from '#adapters/dynamo/meta-store';
import type { StoredSettings } from '#core/ports';

/** A store read that counts its calls and answers the current stored value. */
const storeOf = (initial: StoredSettings | undefined) => {
  const store = { value: initial, reads: 0, fail: false };
  const load = async (): Promise<StoredSettings | undefined> => {
    store.reads += 1;
    if (store.fail) throw new Error('store down');
    return store.value;
  };
  return { store, load };
};

const v1: StoredSettings = { settings: { leaseSeconds: 60 }, version: 1 };
const v2: StoredSettings = { settings: { leaseSeconds: 90 }, version: 2 };

describe('the settings cache', () => {
  it('reads once per period and again when the period is over', async () => {
    let now = 0;
    const cache = new SettingsCache(5, () => now);
    const { store, load } = storeOf(v1);

    expect(await cache.get(load)).toEqual(v1);
    store.value = v2;
    now = 4_999;
    expect(await cache.get(load)).toEqual(v1);
    now = 5_000;
    expect(await cache.get(load)).toEqual(v2);
    expect(store.reads).toBe(2);
  });

  it('shares one read between concurrent calls', async () => {
    const cache = new SettingsCache(5, () => 0);
    const { store, load } = storeOf(v1);

    const answers = await Promise.all([cache.get(load), cache.get(load), cache.get(load)]);

    expect(answers).toEqual([v1, v1, v1]);
    expect(store.reads).toBe(1);
  });

  it('reads every time when the period is 0', async () => {
    const cache = new SettingsCache(0, () => 0);
    const { store, load } = storeOf(v1);

    await cache.get(load);
    store.value = v2;

    expect(await cache.get(load)).toEqual(v2);
    expect(store.reads).toBe(2);
  });

  it('reads again at once after it is invalidated', async () => {
    const cache = new SettingsCache(5, () => 0);
    const { store, load } = storeOf(v1);

    await cache.get(load);
    store.value = v2;
    cache.invalidate();

    expect(await cache.get(load)).toEqual(v2);
  });

  it('does not keep a failed read', async () => {
    const cache = new SettingsCache(5, () => 0);
    const { store, load } = storeOf(v1);
    store.fail = true;

    await expect(cache.get(load)).rejects.toThrow('store down');
    store.fail = false;

    expect(await cache.get(load)).toEqual(v1);
    expect(store.reads).toBe(2);
  });
});
