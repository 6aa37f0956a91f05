import { describe, expect, it } from 'vitest';
import {
  FIRST_TRY_SPREAD,
  firstTryWindow,
  fitsAgent,
  nextCandidateIndex,
  SPREAD_AFTER_LOSS,
} from '#core/work/claim-policy';
import { anAgent, aWorkItem } from '../builders';

const ranked = (...urgencies: number[]) => urgencies.map((urgency) => ({ urgency }));
const equal = (count: number) => ranked(...Array.from({ length: count }, () => 50));

describe('firstTryWindow', () => {
  it('spans the first few candidates within a point of the most urgent', () => {
    expect(firstTryWindow(ranked(50, 49.5, 49, 48.9, 48))).toBe(3);
    expect(firstTryWindow(equal(10))).toBe(FIRST_TRY_SPREAD);
  });

  it('is the most urgent alone when it leads by more than a point, and nothing without candidates', () => {
    expect(firstTryWindow(ranked(60, 50, 50))).toBe(1);
    expect(firstTryWindow([])).toBe(0);
  });
});

describe('nextCandidateIndex', () => {
  it('takes a random one of the first-try window while uncontended', () => {
    expect(nextCandidateIndex(ranked(60, 50, 50), 0, () => 0.99)).toBe(0);
    expect(nextCandidateIndex(equal(10), 0, () => 0.99)).toBe(FIRST_TRY_SPREAD - 1);
    expect(nextCandidateIndex(equal(10), 0, () => 0)).toBe(0);
  });

  it('spreads over the next few after a lost race', () => {
    expect(nextCandidateIndex(equal(10), 1, () => 0)).toBe(0);
    expect(nextCandidateIndex(equal(10), 1, () => 0.99)).toBe(SPREAD_AFTER_LOSS - 1);
    expect(nextCandidateIndex(equal(2), 1, () => 0.99)).toBe(1);
  });

  it('doubles the spread with every further lost race, up to the candidates left', () => {
    expect(nextCandidateIndex(equal(40), 2, () => 0.99)).toBe(2 * SPREAD_AFTER_LOSS - 1);
    expect(nextCandidateIndex(equal(40), 3, () => 0.99)).toBe(4 * SPREAD_AFTER_LOSS - 1);
    expect(nextCandidateIndex(equal(12), 5, () => 0.99)).toBe(11);
  });

  it('stops doubling the window after ten further losses', () => {
    expect(nextCandidateIndex(equal(100_000), 11, () => 0.999)).toBe(
      Math.floor(0.999 * SPREAD_AFTER_LOSS * 1024),
    );
    expect(nextCandidateIndex(equal(100_000), 40, () => 0.999)).toBe(
      Math.floor(0.999 * SPREAD_AFTER_LOSS * 1024),
    );
  });
});

describe('nextCandidateIndex: a random source at its bound', () => {
  it('still names an existing candidate when the random source answers 1', () => {
    expect(nextCandidateIndex(equal(3), 0, () => 1)).toBe(2);
    expect(nextCandidateIndex(equal(3), 1, () => 1)).toBe(2);
    expect(nextCandidateIndex([], 0, () => 1)).toBe(0);
  });
});

describe('fitsAgent', () => {
  it('keeps ready items of the asked types whose capabilities the agent has', () => {
    const agent = anAgent({ capabilities: ['go'] });
    expect(fitsAgent(aWorkItem({ requiredCapabilities: ['go'] }), agent, undefined)).toBe(true);
    expect(fitsAgent(aWorkItem({ requiredCapabilities: ['rust'] }), agent, undefined)).toBe(false);
    expect(fitsAgent(aWorkItem({ type: 'build' }), agent, ['review'])).toBe(false);
    expect(fitsAgent(aWorkItem({ type: 'build' }), agent, ['review', 'build'])).toBe(true);
    expect(fitsAgent(aWorkItem({ status: 'claimed' }), agent, undefined)).toBe(false);
  });
});
