import { describe, expect, it } from 'vitest';
import { systemRandom } from '#adapters/system/random';

describe('systemRandom', () => {
  it('draws values in [0, 1) that are not all the same', () => {
    const draws = Array.from({ length: 200 }, () => systemRandom.next());

    for (const value of draws) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
    expect(new Set(draws).size).toBeGreaterThan(190);
  });
});
