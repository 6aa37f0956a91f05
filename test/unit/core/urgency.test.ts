import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '#core/settings';
import {
  agingPoints,
  compareByUrgency,
  deadlinePressure,
  rankByCurrentUrgency,
  urgencyOf,
} from '#core/urgency';
import { aWorkItem, minutesFromNow, NOW } from './builders';

const weights = DEFAULT_SETTINGS.urgencyWeights;

describe('urgencyOf', () => {
  it('adds priority weight and business value for an item without deadline that just became ready', () => {
    const item = aWorkItem({ priority: 'critical', businessValue: 70, readyAt: NOW.toISOString() });
    expect(urgencyOf(item, NOW, weights)).toBe(470);
  });

  it.each([
    ['critical', 400],
    ['high', 300],
    ['medium', 200],
    ['low', 100],
  ] as const)('weighs priority %s as %i', (priority, points) => {
    const item = aWorkItem({ priority, businessValue: 0, readyAt: NOW.toISOString() });
    expect(urgencyOf(item, NOW, weights)).toBe(points);
  });

  it('adds deadline pressure linearly over the 48 hour horizon', () => {
    expect(deadlinePressure(minutesFromNow(24 * 60), NOW, weights)).toBe(150);
    expect(deadlinePressure(minutesFromNow(12 * 60), NOW, weights)).toBe(225);
  });

  it('gives no deadline pressure beyond the horizon and full pressure at or past the deadline', () => {
    expect(deadlinePressure(minutesFromNow(72 * 60), NOW, weights)).toBe(0);
    expect(deadlinePressure(NOW.toISOString(), NOW, weights)).toBe(300);
    expect(deadlinePressure(minutesFromNow(-600), NOW, weights)).toBe(300);
    expect(deadlinePressure(undefined, NOW, weights)).toBe(0);
  });

  it('ages a ready item one point per ten minutes since it became ready, up to 100', () => {
    expect(agingPoints({ status: 'ready', readyAt: minutesFromNow(-55) }, NOW, weights)).toBe(5.5);
    expect(agingPoints({ status: 'ready', readyAt: minutesFromNow(-5000) }, NOW, weights)).toBe(100);
  });

  it('does not age an item that is not ready', () => {
    expect(agingPoints({ status: 'blocked', readyAt: minutesFromNow(-60) }, NOW, weights)).toBe(0);
    expect(agingPoints({ status: 'claimed' }, NOW, weights)).toBe(0);
  });

  it('rounds to two decimals', () => {
    const item = aWorkItem({ businessValue: 0, readyAt: minutesFromNow(-1 / 3) });
    expect(urgencyOf(item, NOW, weights)).toBe(200.03);
  });

  it('uses configured weights', () => {
    const custom = {
      ...weights,
      priority: { ...weights.priority, medium: 10 },
      deadlineMax: 1000,
      deadlineHorizonHours: 10,
      agingMax: 5,
      agingMinutesPerPoint: 1,
    };
    const item = aWorkItem({
      businessValue: 0,
      deadline: minutesFromNow(5 * 60),
      readyAt: minutesFromNow(-60),
    });
    expect(urgencyOf(item, NOW, custom)).toBe(10 + 500 + 5);
  });
});

describe('agingPoints', () => {
  it('ages nothing for a ready item that has no ready time', () => {
    expect(agingPoints({ status: 'ready', readyAt: undefined }, NOW, DEFAULT_SETTINGS.urgencyWeights)).toBe(
      0,
    );
  });
});

describe('compareByUrgency', () => {
  it('orders by urgency descending, then createdAt ascending, then id', () => {
    const items = [
      { id: 'c', urgency: 100, createdAt: '2026-01-01T00:00:00.000Z' },
      { id: 'b', urgency: 300, createdAt: '2026-01-02T00:00:00.000Z' },
      { id: 'a', urgency: 300, createdAt: '2026-01-02T00:00:00.000Z' },
      { id: 'd', urgency: 300, createdAt: '2026-01-01T00:00:00.000Z' },
    ];
    expect([...items].sort(compareByUrgency).map((i) => i.id)).toEqual(['d', 'a', 'b', 'c']);
  });

  it('answers the same order whichever item comes first, and 0 only for the same item', () => {
    const older = { id: 'b', urgency: 300, createdAt: '2026-01-01T00:00:00.000Z' };
    const newer = { id: 'a', urgency: 300, createdAt: '2026-01-02T00:00:00.000Z' };
    const sameTimeA = { ...newer, id: 'a' };
    const sameTimeB = { ...newer, id: 'b' };

    expect(compareByUrgency(older, newer)).toBeLessThan(0);
    expect(compareByUrgency(newer, older)).toBeGreaterThan(0);
    expect(compareByUrgency(sameTimeA, sameTimeB)).toBeLessThan(0);
    expect(compareByUrgency(sameTimeB, sameTimeA)).toBeGreaterThan(0);
    expect(compareByUrgency(sameTimeA, { ...sameTimeA })).toBe(0);
  });

  it('ranks by urgency recomputed now, not the stored one', () => {
    const stale = aWorkItem({ id: 'old', urgency: 999, priority: 'low' });
    const fresh = aWorkItem({ id: 'new', urgency: 1, priority: 'high' });
    const ranked = rankByCurrentUrgency([stale, fresh], NOW, weights);
    expect(ranked.map((i) => [i.id, i.urgency])).toEqual([
      ['new', 356],
      ['old', 156],
    ]);
  });
});
