import { describe, expect, it } from 'vitest';
import { agentHealth } from '#core/agents/health';
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

  it('never goes below 0', () => {
    const agent = anAgent({
      lastHeartbeatAt: minutesFromNow(-100),
      stats: { ...stats, failed: 5, leaseExpiries: 5, speedRatioSum: 50, speedSamples: 1 },
    });
    expect(agentHealth(agent, NOW, 3).score).toBeGreaterThanOrEqual(0);
    expect(agentHealth(agent, NOW, 3).score).toBe(100 - 40 - 15 - 10 - 15);
  });

  it('does not count silence against a retired agent', () => {
    const agent = anAgent({
      lastHeartbeatAt: minutesFromNow(-100),
      retirement: { mode: 'drain', requestedAt: NOW.toISOString() },
    });
    expect(agentHealth(agent, NOW, 3).score).toBe(100);
  });
});
