import { describe, expect, it } from 'vitest';
import { TRANSACTIONS_PER_CYCLE, transactionCeiling } from '../../../bench/raw';

describe('the ceiling a cycle of transactions allows', () => {
  it('is the raw 3-write transaction rate split over the cycle, as a share of the raw UpdateItem rate', () => {
    expect(TRANSACTIONS_PER_CYCLE).toBe(3);
    // 2,237 UpdateItem/s and 772 transactions/s at 200 clients: 257 cycles/s at most, 11.5 %.
    expect(transactionCeiling({ opsPerSec: 2237 }, { opsPerSec: 772 })).toBeCloseTo(0.115, 3);
    expect(transactionCeiling({ opsPerSec: 1000 }, { opsPerSec: 900 })).toBeCloseTo(0.3, 6);
  });
});
