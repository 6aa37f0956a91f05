import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agentHealth, HEALTH_PENALTIES } from '#core/agents/health';
import { anAgent, minutesFromNow, NOW } from '../builders';

const stats = { claims: 0, completed: 0, failed: 0, leaseExpiries: 0, speedRatioSum: 0, speedSamples: 0 };

describe('agentHealth', () => {
  it('scores a fresh agent 100 with no reasons', () => {
    expect(agentHealth(anAgent(), NOW, 3)).toEqual({ score: 100, reasons: [] });
  });

  it('deducts 40 for an offline agent and explains it', () => {
    const health = agentHealth(anAgent({ lastHeartbeatAt: minutesFromNow(-10) }), NOW, 3);
    expect(health.score).toBe(60);
    expect(health.reasons).toEqual(['offline: no heartbeat for 600s (-40)']);
  });

  it('deducts 15 for a late heartbeat that is not yet offline', () => {
    expect(agentHealth(anAgent({ lastHeartbeatAt: minutesFromNow(-1) }), NOW, 3).score).toBe(85);
  });

  it('deducts in proportion to failures and lease expiries among finished claims', () => {
    const agent = anAgent({ stats: { ...stats, completed: 2, failed: 1, leaseExpiries: 1 } });
    const health = agentHealth(agent, NOW, 3);
    expect(health.score).toBe(100 - 8 - 5);
    expect(health.reasons).toEqual([
      '1 of 4 finished claims failed (-8)',
      '1 of 4 finished claims lost their lease (-5)',
    ]);
  });

  it('deducts for taking much longer than estimated, at most 15', () => {
    expect(
      agentHealth(anAgent({ stats: { ...stats, completed: 2, speedRatioSum: 4, speedSamples: 2 } }), NOW, 3)
        .score,
    ).toBe(90);
    expect(
      agentHealth(anAgent({ stats: { ...stats, completed: 1, speedRatioSum: 9, speedSamples: 1 } }), NOW, 3)
        .score,
    ).toBe(85);
    expect(
      agentHealth(anAgent({ stats: { ...stats, completed: 1, speedRatioSum: 1.2, speedSamples: 1 } }), NOW, 3)
        .score,
    ).toBe(100);
  });

  it('scores the worst possible agent 15: offline, every finished claim failed, and slow', () => {
    const agent = anAgent({
      lastHeartbeatAt: minutesFromNow(-100),
      stats: { ...stats, failed: 5, speedRatioSum: 50, speedSamples: 1 },
    });

    expect(agentHealth(agent, NOW, 3)).toEqual({
      score: 100 - HEALTH_PENALTIES.offline - HEALTH_PENALTIES.failures - HEALTH_PENALTIES.slowness,
      reasons: [
        'offline: no heartbeat for 6000s (-40)',
        '5 of 5 finished claims failed (-30)',
        'takes 50.0x its estimates on average (-15)',
      ],
    });
  });

  it('scores any agent 100 minus the points its reasons list, between 15 and 100', () => {
    const count = fc.integer({ min: 0, max: 1000 });
    fc.assert(
      fc.property(
        fc.record({ completed: count, failed: count, leaseExpiries: count, speedSamples: count }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.integer({ min: 0, max: 48 * 3600 }),
        fc.integer({ min: 5, max: 3600 }),
        (counts, meanRatio, silentSec, heartbeatIntervalSec) => {
          const agent = anAgent({
            heartbeatIntervalSec,
            lastHeartbeatAt: new Date(NOW.getTime() - silentSec * 1000).toISOString(),
            stats: { ...stats, ...counts, speedRatioSum: meanRatio * counts.speedSamples },
          });

          const health = agentHealth(agent, NOW, 3);

          const listed = health.reasons.reduce(
            (sum, reason) => sum + Number(/\(-(\d+)\)$/.exec(reason)?.[1]),
            0,
          );
          expect(health.score).toBe(100 - listed);
          expect(health.score).toBeGreaterThanOrEqual(15);
          expect(health.score).toBeLessThanOrEqual(100);
        },
      ),
    );
  });

  it('counts a heartbeat late only after one and a half intervals of silence, and says how late', () => {
    const silentFor = (seconds: number) =>
      agentHealth(
        anAgent({
          heartbeatIntervalSec: 40,
          lastHeartbeatAt: new Date(NOW.getTime() - seconds * 1000).toISOString(),
        }),
        NOW,
        3,
      );

    expect(silentFor(60)).toEqual({ score: 100, reasons: [] });
    expect(silentFor(61)).toEqual({ score: 85, reasons: ['heartbeat late: last one 61s ago (-15)'] });
  });

  it('lists no deduction that rounds to nothing', () => {
    const agent = anAgent({
      stats: { ...stats, completed: 99, failed: 1, speedRatioSum: 1.5, speedSamples: 1 },
    });

    expect(agentHealth(agent, NOW, 3)).toEqual({ score: 100, reasons: [] });
  });

  it('deducts for lease expiries in proportion to all finished claims', () => {
    const agent = anAgent({ stats: { ...stats, completed: 2, leaseExpiries: 2 } });

    expect(agentHealth(agent, NOW, 3)).toEqual({
      score: 90,
      reasons: ['2 of 4 finished claims lost their lease (-10)'],
    });
  });

  it('does not count silence against a retired agent', () => {
    const agent = anAgent({
      lastHeartbeatAt: minutesFromNow(-100),
      retirement: { mode: 'drain', requestedAt: NOW.toISOString() },
    });
    expect(agentHealth(agent, NOW, 3).score).toBe(100);
  });
});
