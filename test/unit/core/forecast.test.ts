import { describe, expect, it } from 'vitest';
import { forecastTeam } from '#core/forecast';
import { DEFAULT_SETTINGS } from '#core/settings';
import { aClaimedItem, aWorkItem, minutesFromNow, NOW } from './builders';

const weights = DEFAULT_SETTINGS.urgencyWeights;

describe('forecastTeam', () => {
  it('spreads estimates over the slots (30 minutes when an item has none)', () => {
    const items = [
      aWorkItem({ id: 'a', estimateMinutes: 60 }),
      aWorkItem({ id: 'b', estimateMinutes: 60 }),
      aWorkItem({ id: 'c' }),
    ];
    expect(forecastTeam({ items, unreadItems: 0, slots: 2, now: NOW, weights })).toEqual({
      etaMinutes: 90,
      atRisk: [],
    });
  });

  it('counts only the remaining part of items in progress and adds unread items at the default estimate', () => {
    const items = [aClaimedItem('a', 't', { status: 'in_progress', progress: 50, estimateMinutes: 40 })];
    expect(forecastTeam({ items, unreadItems: 2, slots: 1, now: NOW, weights }).etaMinutes).toBe(20 + 60);
  });

  it('flags items projected to finish after their deadline, and passed deadlines', () => {
    const items = [
      aWorkItem({ id: 'urgent', priority: 'critical', estimateMinutes: 120 }),
      aWorkItem({ id: 'late', priority: 'low', estimateMinutes: 30, deadline: minutesFromNow(60) }),
      aWorkItem({ id: 'overdue', priority: 'low', deadline: minutesFromNow(-5) }),
      aWorkItem({ id: 'fine', priority: 'high', estimateMinutes: 10, deadline: minutesFromNow(6000) }),
    ];
    const { atRisk } = forecastTeam({ items, unreadItems: 0, slots: 1, now: NOW, weights });
    // by urgency now: overdue 456 and urgent 456 (ids break the tie), late 449.75, fine 356
    expect(atRisk).toEqual([
      { workId: 'overdue', deadline: minutesFromNow(-5), reason: 'deadline passed' },
      {
        workId: 'late',
        deadline: minutesFromNow(60),
        reason: `projected to finish at ${minutesFromNow(180)}`,
      },
    ]);
  });

  it('has no ETA and puts every deadline at risk without agents in service', () => {
    const items = [aWorkItem({ id: 'd', deadline: minutesFromNow(600) }), aWorkItem({ id: 'n' })];
    expect(forecastTeam({ items, unreadItems: 0, slots: 0, now: NOW, weights })).toEqual({
      etaMinutes: null,
      atRisk: [{ workId: 'd', deadline: minutesFromNow(600), reason: 'no agent in service' }],
    });
  });

  it('is 0 for an empty backlog', () => {
    expect(forecastTeam({ items: [], unreadItems: 0, slots: 0, now: NOW, weights }).etaMinutes).toBe(0);
    expect(forecastTeam({ items: [], unreadItems: 0, slots: 3, now: NOW, weights }).etaMinutes).toBe(0);
  });

  it('spreads unread items over the slots', () => {
    expect(forecastTeam({ items: [], unreadItems: 2, slots: 2, now: NOW, weights }).etaMinutes).toBe(30);
  });

  it('has no ETA without agents in service while unread items wait', () => {
    const items = [aWorkItem({ id: 'n' })];

    expect(forecastTeam({ items, unreadItems: 1, slots: 0, now: NOW, weights }).etaMinutes).toBeNull();
  });

  it('does not flag an item projected to finish exactly at its deadline', () => {
    const items = [aWorkItem({ id: 'just', estimateMinutes: 30, deadline: minutesFromNow(30) })];

    expect(forecastTeam({ items, unreadItems: 0, slots: 1, now: NOW, weights }).atRisk).toEqual([]);
  });

  it('schedules ready items before blocked ones, however urgent the blocked ones are', () => {
    const items = [
      aWorkItem({
        id: 'waiting',
        status: 'blocked',
        readyAt: undefined,
        priority: 'critical',
        businessValue: 500,
        estimateMinutes: 60,
      }),
      aWorkItem({ id: 'ready', priority: 'low', estimateMinutes: 30, deadline: minutesFromNow(45) }),
    ];

    expect(forecastTeam({ items, unreadItems: 0, slots: 1, now: NOW, weights })).toEqual({
      etaMinutes: 90,
      atRisk: [],
    });
  });
});
