import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coalesceHeartbeats, type Heartbeat, heartbeatTime } from '#core/agents/heartbeat';
import { recordHeartbeat } from '#core/agents/lifecycle';
import { agentStatus } from '#core/agents/liveness';
import { anAgent, changeContext, minutesFromNow, NOW } from '../builders';

const beat = (agentId: string, minutes: number, status?: 'active' | 'idle'): Heartbeat => ({
  agentId,
  at: minutesFromNow(minutes),
  requestId: `req-${agentId}-${minutes}`,
  ...(status ? { status } : {}),
});

describe('coalesceHeartbeats', () => {
  it('keeps one heartbeat per agent: the latest time and request, the latest status reported', () => {
    const coalesced = coalesceHeartbeats([
      beat('a', -3, 'idle'),
      beat('b', -2),
      beat('a', -1),
      beat('a', -2, 'active'),
    ]);

    expect(coalesced).toEqual([
      { agentId: 'a', at: minutesFromNow(-1), requestId: 'req-a--1', status: 'active' },
      { agentId: 'b', at: minutesFromNow(-2), requestId: 'req-b--2' },
    ]);
  });

  it('adds no status key for an agent none of whose heartbeats reported one', () => {
    expect(coalesceHeartbeats([beat('b', -2), beat('b', -1)])).toStrictEqual([
      { agentId: 'b', at: minutesFromNow(-1), requestId: 'req-b--1' },
    ]);
  });

  it('gives the same result in any order of arrival', () => {
    const heartbeats = [beat('a', -3, 'idle'), beat('a', -1), beat('a', -2, 'active'), beat('b', -4, 'idle')];
    fc.assert(
      fc.property(fc.shuffledSubarray(heartbeats, { minLength: heartbeats.length }), (shuffled) => {
        const byAgent = (list: Heartbeat[]) => [...list].sort((x, y) => x.agentId.localeCompare(y.agentId));
        expect(byAgent(coalesceHeartbeats(shuffled))).toEqual(byAgent(coalesceHeartbeats(heartbeats)));
      }),
    );
  });
});

describe('heartbeatTime', () => {
  it('is the receive time, but never later than now', () => {
    expect(heartbeatTime({ at: minutesFromNow(-1) }, NOW).toISOString()).toBe(minutesFromNow(-1));
    expect(heartbeatTime({ at: minutesFromNow(1) }, NOW)).toEqual(NOW);
  });
});

describe('liveness over time (fixed clock)', () => {
  it('turns offline just past 3 x the interval without a heartbeat, and a heartbeat brings it back', () => {
    const agent = anAgent({ heartbeatIntervalSec: 30, lastHeartbeatAt: NOW.toISOString() });
    const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

    expect(agentStatus(agent, at(90), 3)).toBe('idle');
    expect(agentStatus(agent, at(91), 3)).toBe('offline');

    const back = recordHeartbeat(agent, { at: at(120) }, 3, changeContext({ now: at(121) }));
    expect(back && agentStatus(back.agent, at(121), 3)).toBe('idle');
    expect(back?.events).toEqual([
      expect.objectContaining({
        action: 'agent.status',
        before: { status: 'offline' },
        after: { status: 'idle' },
      }),
    ]);
    expect(back && agentStatus(back.agent, at(211), 3)).toBe('offline');
  });
});
