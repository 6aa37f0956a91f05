import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '#core/settings';
import { REVIEW_STEP_POINTS, reviewAtOf } from '#core/work/review';
import { aWorkItem, minutesFromNow, NOW } from '../builders';

const weights = DEFAULT_SETTINGS.urgencyWeights;
/** Aged out long ago: aging adds nothing more. */
const aged = { readyAt: minutesFromNow(-5000) };
/** Minutes for deadline pressure to add a step: the horizon spread over deadlineMax points. */
const deadlineStepMinutes = (weights.deadlineHorizonHours * 60 * REVIEW_STEP_POINTS) / weights.deadlineMax;

describe('reviewAtOf: the earliest of its reasons', () => {
  it('takes the deadline when it comes before the next pressure and aging steps', () => {
    const item = aWorkItem({ readyAt: minutesFromNow(-60), deadline: minutesFromNow(30) });
    expect(reviewAtOf(item, NOW, weights)).toBe(minutesFromNow(30));
  });

  it('steps by the points pressure adds inside the deadline horizon', () => {
    expect(deadlineStepMinutes).toBe(48);
    const item = aWorkItem({ ...aged, deadline: minutesFromNow(30 * 60) });
    expect(reviewAtOf(item, NOW, weights)).toBe(minutesFromNow(deadlineStepMinutes));
  });

  it('is the deadline itself when deadline pressure is weighted 0', () => {
    const flat = { ...weights, deadlineMax: 0 };
    const item = aWorkItem({ ...aged, deadline: minutesFromNow(30 * 60) });
    expect(reviewAtOf(item, NOW, flat)).toBe(minutesFromNow(30 * 60));
  });

  it('adds no aging step when aging is weighted 0, even for an item ready from a time ahead of this clock', () => {
    const noAging = { ...weights, agingMax: 0 };
    expect(reviewAtOf(aWorkItem({ readyAt: minutesFromNow(10) }), NOW, noAging)).toBeUndefined();
    expect(reviewAtOf(aWorkItem({ readyAt: minutesFromNow(-10) }), NOW, noAging)).toBeUndefined();
  });

  it('adds no aging step for a ready item without a ready time', () => {
    expect(reviewAtOf(aWorkItem({ readyAt: undefined }), NOW, weights)).toBeUndefined();
    expect(
      reviewAtOf(aWorkItem({ readyAt: undefined, deadline: minutesFromNow(90 * 60) }), NOW, weights),
    ).toBe(minutesFromNow(42 * 60));
  });
});
