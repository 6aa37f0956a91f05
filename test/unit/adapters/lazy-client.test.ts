import { describe, expect, it } from 'vitest';
import { lazyClient } from '#adapters/lazy-client';

describe('lazyClient', () => {
  it('makes the client on the first call only, and gives every caller the same one', async () => {
    let made = 0;
    const client = lazyClient(async () => ({ id: ++made }));
    expect(made).toBe(0);

    const [first, second] = await Promise.all([client(), client()]);
    const third = await client();

    expect(made).toBe(1);
    expect(second).toBe(first);
    expect(third).toBe(first);
  });

  it('tries again on the next call after making the client failed', async () => {
    let attempts = 0;
    const client = lazyClient(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('package failed to load');
      return { attempt: attempts };
    });

    await expect(client()).rejects.toThrow('package failed to load');
    expect(await client()).toEqual({ attempt: 2 });
    expect(await client()).toEqual({ attempt: 2 });
    expect(attempts).toBe(2);
  });
});
