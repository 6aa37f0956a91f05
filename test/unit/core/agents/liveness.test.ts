import { describe, expect, it } from 'vitest';
import { agentStatus, isOffline } from '#core/agents/liveness';
import { anAgent, minutesFromNow, NOW } from '../builders';

describe('agentStatus', () => {
  it('is idle right after registration and active while holding claims', () => {
    expect(agentStatus(anAgent(), NOW, 3)).toBe('idle');
    expect(agentStatus(anAgent({ activeClaims: 1 }), NOW, 3)).toBe('active');
  });

  it('is offline past the timeout multiple of the interval, not at it', () => {
    expect(agentStatus(anAgent({ lastHeartbeatAt: minutesFromNow(-1.5) }), NOW, 3)).toBe('idle');
    expect(agentStatus(anAgent({ lastHeartbeatAt: minutesFromNow(-1.51) }), NOW, 3)).toBe('offline');
    expect(agentStatus(anAgent({ lastHeartbeatAt: minutesFromNow(-1.51), activeClaims: 1 }), NOW, 5)).toBe(
      'active',
    );
  });

  it('is retiring while a retirement has claims left, retired when none are', () => {
    const retirement = { mode: 'drain' as const, requestedAt: NOW.toISOString() };
    expect(agentStatus(anAgent({ retirement, activeClaims: 2 }), NOW, 3)).toBe('retiring');
    expect(agentStatus(anAgent({ retirement, activeClaims: 0 }), NOW, 3)).toBe('retired');
    expect(
      agentStatus(
        anAgent({ retirement: { ...retirement, retiredAt: NOW.toISOString() }, activeClaims: 1 }),
        NOW,
        3,
      ),
    ).toBe('retired');
  });

  it('puts retirement before offline', () => {
    const agent = anAgent({
      lastHeartbeatAt: minutesFromNow(-600),
      retirement: { mode: 'drain', requestedAt: NOW.toISOString() },
      activeClaims: 1,
    });
    expect(agentStatus(agent, NOW, 3)).toBe('retiring');
  });
});

describe('isOffline', () => {
  it('compares the silence with multiple x interval', () => {
    expect(isOffline(minutesFromNow(-10), 60, NOW, 10)).toBe(false);
    expect(isOffline(minutesFromNow(-10), 60, NOW, 9)).toBe(true);
  });
});
