import { describe, expect, it } from 'vitest';
import {
  CARRIED_LOSS_DECAY,
  extraCandidatesWhenContended,
  FIRST_TRY_URGENCY_TOLERANCE,
  firstTryWindow,
  fitsAgent,
  MAX_CARRIED_LOSSES,
  MAX_EXTRA_FOR_CLAIMS_IN_FLIGHT,
  MAX_LOSSES_PER_READ,
  nextCandidateIndex,
  nextCarriedLosses,
  readAfresh,
  SPREAD_AFTER_LOSS,
} from '#core/work/claim-policy';
import { anAgent, aWorkItem } from '../builders';

const ranked = (...urgencies: number[]) => urgencies.map((urgency) => ({ urgency }));
const equal = (count: number) => ranked(...Array.from({ length: count }, () => 50));
/** Candidates each more than the tolerance below the one before: none is near-equal to another. */
const spaced = (count: number, below = 1_000_000) =>
  ranked(
    ...Array.from({ length: count }, (_, index) => below - (index + 1) * (FIRST_TRY_URGENCY_TOLERANCE + 1)),
  );

describe('firstTryWindow', () => {
  it('spans every leading candidate within the tolerance of the most urgent, however many', () => {
    expect(firstTryWindow(ranked(50, 49.5, 49, 48.9, 48))).toBe(3);
    expect(firstTryWindow(equal(10))).toBe(10);
    expect(firstTryWindow(equal(200))).toBe(200);
    expect(firstTryWindow([...equal(7), ...spaced(2, 50)])).toBe(7);
  });

  it('includes a candidate exactly at the tolerance and excludes one just beyond it', () => {
    expect(firstTryWindow(ranked(50, 50 - FIRST_TRY_URGENCY_TOLERANCE))).toBe(2);
    expect(firstTryWindow(ranked(50, 50 - FIRST_TRY_URGENCY_TOLERANCE - 0.01))).toBe(1);
  });

  it('is the most urgent alone when it leads by more than the tolerance, and nothing without candidates', () => {
    expect(firstTryWindow(ranked(60, 50, 50))).toBe(1);
    expect(firstTryWindow(ranked(50))).toBe(1);
    expect(firstTryWindow([])).toBe(0);
  });
});

describe('nextCandidateIndex', () => {
  it('takes a random one of all the near-equal candidates while uncontended', () => {
    expect(nextCandidateIndex(ranked(60, 50, 50), 0, () => 0.99)).toBe(0);
    expect(nextCandidateIndex(equal(10), 0, () => 0.99)).toBe(9);
    expect(nextCandidateIndex(equal(100), 0, () => 0.5)).toBe(50);
    expect(nextCandidateIndex(equal(10), 0, () => 0)).toBe(0);
  });

  it('spreads over the next few after a lost race, even past the near-equal ones', () => {
    expect(nextCandidateIndex(spaced(10), 1, () => 0)).toBe(0);
    expect(nextCandidateIndex(spaced(10), 1, () => 0.99)).toBe(SPREAD_AFTER_LOSS - 1);
    expect(nextCandidateIndex(spaced(2), 1, () => 0.99)).toBe(1);
  });

  it('keeps all the near-equal candidates in the window after a loss when they are more than the spread', () => {
    expect(nextCandidateIndex(equal(30), 1, () => 0.99)).toBe(29);
    expect(nextCandidateIndex([...equal(7), ...spaced(20, 50)], 2, () => 0.99)).toBe(
      2 * SPREAD_AFTER_LOSS - 1,
    );
  });

  it('doubles the spread with every further lost race, up to the candidates left', () => {
    expect(nextCandidateIndex(spaced(40), 2, () => 0.99)).toBe(2 * SPREAD_AFTER_LOSS - 1);
    expect(nextCandidateIndex(spaced(40), 3, () => 0.99)).toBe(4 * SPREAD_AFTER_LOSS - 1);
    expect(nextCandidateIndex(spaced(12), 5, () => 0.99)).toBe(11);
  });

  it('spreads over a window between the steps for a fraction of a carried loss, never past the most urgent ones', () => {
    // 1.5 losses: 5 * 2^0.5 = 7.07..., rounded up to 8 candidates.
    expect(nextCandidateIndex(spaced(40), 1.5, () => 0.99)).toBe(7);
    // A quarter of a loss still spreads over the most urgent few (5 * 2^-0.75 = 2.97..., so 3).
    expect(nextCandidateIndex(spaced(40), CARRIED_LOSS_DECAY, () => 0.99)).toBe(2);
    expect(nextCandidateIndex(spaced(40), 0, () => 0.99)).toBe(0);
  });

  it('stops doubling the window after ten further losses', () => {
    expect(nextCandidateIndex(spaced(100_000), 11, () => 0.999)).toBe(
      Math.floor(0.999 * SPREAD_AFTER_LOSS * 1024),
    );
    expect(nextCandidateIndex(spaced(100_000), 40, () => 0.999)).toBe(
      Math.floor(0.999 * SPREAD_AFTER_LOSS * 1024),
    );
  });
});

describe('nextCandidateIndex: candidates being taken already', () => {
  const named = (...urgencies: number[]) => urgencies.map((urgency, index) => ({ urgency, id: `w${index}` }));
  const takenIds =
    (...ids: string[]) =>
    (candidate: { id: string }) =>
      ids.includes(candidate.id);

  it('takes the most urgent candidate nobody is taking, in strict order when it leads', () => {
    expect(nextCandidateIndex(named(90, 80, 70, 60), 0, () => 0.99, takenIds('w0'))).toBe(1);
    expect(nextCandidateIndex(named(90, 80, 70, 60), 0, () => 0.99, takenIds('w0', 'w1', 'w2'))).toBe(3);
    expect(nextCandidateIndex(named(90, 80, 70, 60), 0, () => 0.99, takenIds('w1'))).toBe(0);
  });

  it('lays the near-equal window and the spread after losses over the free candidates only', () => {
    // w0 and w2 are taken: the near-equal free ones are w1 and w3 (indexes 1 and 3).
    const taken = takenIds('w0', 'w2');
    expect(nextCandidateIndex(named(50, 50, 50, 50, 10), 0, () => 0, taken)).toBe(1);
    expect(nextCandidateIndex(named(50, 50, 50, 50, 10), 0, () => 0.99, taken)).toBe(3);
    // One loss: a window of SPREAD_AFTER_LOSS free candidates, w1 w3 w5 w6 w7 here.
    const spread = named(...Array.from({ length: 12 }, (_, index) => 1_000 - index * 10));
    expect(nextCandidateIndex(spread, 1, () => 0.99, takenIds('w0', 'w2', 'w4'))).toBe(7);
  });

  it('tries a taken candidate only when every candidate is taken, as if none were', () => {
    const all = takenIds('w0', 'w1', 'w2');
    expect(nextCandidateIndex(named(90, 80, 70), 0, () => 0.99, all)).toBe(0);
    expect(nextCandidateIndex(named(50, 50, 50), 0, () => 0.99, all)).toBe(2);
    expect(nextCandidateIndex(named(90, 80, 70), 0, () => 0.99)).toBe(0);
  });
});

describe('nextCandidateIndex: a random source at its bound', () => {
  it('still names an existing candidate when the random source answers 1', () => {
    expect(nextCandidateIndex(equal(3), 0, () => 1)).toBe(2);
    expect(nextCandidateIndex(spaced(3), 1, () => 1)).toBe(2);
    expect(nextCandidateIndex([], 0, () => 1)).toBe(0);
  });
});

describe('readAfresh', () => {
  it('tries another candidate of the same read until it has cost the most lost races a read may', () => {
    expect(readAfresh(3, 0)).toBe(false);
    expect(readAfresh(1, MAX_LOSSES_PER_READ - 1)).toBe(false);
    expect(readAfresh(3, MAX_LOSSES_PER_READ)).toBe(true);
    expect(readAfresh(3, MAX_LOSSES_PER_READ + 1)).toBe(true);
  });

  it('reads afresh once the read is exhausted', () => {
    expect(readAfresh(0, 0)).toBe(true);
    expect(readAfresh(1, 0)).toBe(false);
  });
});

describe('nextCarriedLosses', () => {
  it('adds the races a claim lost to those it started with', () => {
    expect(nextCarriedLosses(0, 1)).toBe(1);
    expect(nextCarriedLosses(1, 1)).toBe(2);
  });

  it('takes a quarter of one off after a win at the first try, never below none', () => {
    expect(CARRIED_LOSS_DECAY).toBe(0.25);
    expect(nextCarriedLosses(2, 0)).toBe(1.75);
    expect(nextCarriedLosses(0.25, 0)).toBe(0);
    expect(nextCarriedLosses(0.1, 0)).toBe(0);
    expect(nextCarriedLosses(0, 0)).toBe(0);
  });

  it('needs four clean wins to take off what one lost race added', () => {
    let carried = nextCarriedLosses(0, 1);
    const wins: number[] = [];
    while (carried > 0) {
      carried = nextCarriedLosses(carried, 0);
      wins.push(carried);
    }
    expect(wins).toEqual([0.75, 0.5, 0.25, 0]);
  });

  it(`carries at most ${MAX_CARRIED_LOSSES}`, () => {
    expect(nextCarriedLosses(MAX_CARRIED_LOSSES - 1, 1)).toBe(MAX_CARRIED_LOSSES);
    expect(nextCarriedLosses(MAX_CARRIED_LOSSES, 5)).toBe(MAX_CARRIED_LOSSES);
    expect(nextCarriedLosses(0, 40)).toBe(MAX_CARRIED_LOSSES);
  });
});

describe('extraCandidatesWhenContended', () => {
  it('reads no more than usual for an uncontended team', () => {
    expect(extraCandidatesWhenContended(0)).toBe(0);
    expect(extraCandidatesWhenContended(-1)).toBe(0);
  });

  it('reads as many more as the carried first-try window spreads over', () => {
    expect(extraCandidatesWhenContended(1)).toBe(SPREAD_AFTER_LOSS);
    expect(extraCandidatesWhenContended(1.5)).toBe(Math.ceil(SPREAD_AFTER_LOSS * Math.SQRT2));
    expect(extraCandidatesWhenContended(0.25)).toBe(3);
    expect(extraCandidatesWhenContended(2)).toBe(2 * SPREAD_AFTER_LOSS);
    expect(extraCandidatesWhenContended(MAX_CARRIED_LOSSES)).toBe(
      SPREAD_AFTER_LOSS * 2 ** (MAX_CARRIED_LOSSES - 1),
    );
    expect(extraCandidatesWhenContended(MAX_CARRIED_LOSSES + 3)).toBe(
      SPREAD_AFTER_LOSS * 2 ** (MAX_CARRIED_LOSSES - 1),
    );
  });
});

describe('extraCandidatesWhenContended with other claims in flight', () => {
  it('reads one more for each other claim of the same teams in flight, up to a bound', () => {
    expect(extraCandidatesWhenContended(0, 0)).toBe(0);
    expect(extraCandidatesWhenContended(0, 1)).toBe(1);
    expect(extraCandidatesWhenContended(0, 99)).toBe(99);
    expect(extraCandidatesWhenContended(0, 5_000)).toBe(MAX_EXTRA_FOR_CLAIMS_IN_FLIGHT);
    expect(MAX_EXTRA_FOR_CLAIMS_IN_FLIGHT).toBe(100);
    // A claim that lost races still spreads over its carried window, which may be wider.
    expect(extraCandidatesWhenContended(MAX_CARRIED_LOSSES, 5_000)).toBe(
      SPREAD_AFTER_LOSS * 2 ** (MAX_CARRIED_LOSSES - 1),
    );
  });

  it('reads the larger of that and the carried window, never both added', () => {
    expect(extraCandidatesWhenContended(2, 3)).toBe(2 * SPREAD_AFTER_LOSS);
    expect(extraCandidatesWhenContended(2, 30)).toBe(30);
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
