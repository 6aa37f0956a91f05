import { describe, expect, it } from 'vitest';
import { mapConcurrent } from '#app/use-cases/shared/concurrent';

const tick = (ms: number) => new Promise((wake) => setTimeout(wake, ms));

describe('mapConcurrent', () => {
  it('answers in the items’ order, whatever order the calls end in', async () => {
    const results = await mapConcurrent([30, 5, 20, 1], 3, async (ms) => {
      await tick(ms);
      return ms * 2;
    });

    expect(results).toEqual([60, 10, 40, 2]);
  });

  it('never has more calls in flight than asked, and uses that many', async () => {
    let inFlight = 0;
    let most = 0;
    await mapConcurrent(
      Array.from({ length: 12 }, (_, index) => index),
      4,
      async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await tick(2);
        inFlight -= 1;
      },
    );

    expect(most).toBe(4);
  });

  it('throws the first failure and starts no call after it', async () => {
    const started: number[] = [];
    const run = mapConcurrent([1, 2, 3, 4, 5, 6], 2, async (item) => {
      started.push(item);
      await tick(item === 2 ? 1 : 10);
      if (item === 2) throw new Error('item 2 failed');
      return item;
    });

    await expect(run).rejects.toThrow('item 2 failed');
    expect(started).toEqual([1, 2]);
  });

  it('maps nothing to nothing, and runs one call at a time when asked for none', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapConcurrent([1, 2, 3], 0, async (item) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await tick(1);
      inFlight -= 1;
      return item;
    });

    expect(await mapConcurrent([], 3, async () => 1)).toEqual([]);
    expect(results).toEqual([1, 2, 3]);
    expect(most).toBe(1);
  });
});
