import { describe, expect, it } from 'vitest';
import { fitsAgent, nextCandidateIndex, SPREAD_AFTER_LOSS } from '#core/work/claim-policy';
import { anAgent, aWorkItem } from '../builders';

describe('nextCandidateIndex', () => {
  it('takes the most urgent candidate while uncontended', () => {
    expect(nextCandidateIndex(10, 0, () => 0.99)).toBe(0);
  });

  it('spreads over the next few after a lost race', () => {
    expect(nextCandidateIndex(10, 1, () => 0)).toBe(0);
    expect(nextCandidateIndex(10, 1, () => 0.99)).toBe(SPREAD_AFTER_LOSS - 1);
    expect(nextCandidateIndex(2, 1, () => 0.99)).toBe(1);
  });

  it('doubles the spread with every further lost race, up to the candidates left', () => {
    expect(nextCandidateIndex(40, 2, () => 0.99)).toBe(2 * SPREAD_AFTER_LOSS - 1);
    expect(nextCandidateIndex(40, 3, () => 0.99)).toBe(4 * SPREAD_AFTER_LOSS - 1);
    expect(nextCandidateIndex(12, 5, () => 0.99)).toBe(11);
  });

  it('stops doubling the window after ten further losses', () => {
    expect(nextCandidateIndex(100_000, 11, () => 0.999)).toBe(Math.floor(0.999 * SPREAD_AFTER_LOSS * 1024));
    expect(nextCandidateIndex(100_000, 40, () => 0.999)).toBe(Math.floor(0.999 * SPREAD_AFTER_LOSS * 1024));
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
