import { describe, expect, it } from 'vitest';
import {
  agentEvent,
  newAgent,
  recordHeartbeat,
  replaceToken,
  retireAgent,
  updateAgent,
} from '#core/agents/lifecycle';
import { anAgent, changeContext, minutesFromNow, NOW } from '../builders';

describe('newAgent', () => {
  it('applies the registration defaults and counts registration as a heartbeat', () => {
    expect(newAgent({ id: 'a-1', team: 'core' }, 'tok-1', NOW)).toEqual({
      id: 'a-1',
      team: 'core',
      capabilities: [],
      capacity: 1,
      heartbeatIntervalSec: 30,
      activeClaims: 0,
      lastHeartbeatAt: NOW.toISOString(),
      tokenId: 'tok-1',
      stats: { claims: 0, completed: 0, failed: 0, leaseExpiries: 0, speedRatioSum: 0, speedSamples: 0 },
      version: 1,
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    });
  });
});

describe('updateAgent', () => {
  it('patches only the given fields, version + 1, with a versioned put and an event of what changed', () => {
    const agent = anAgent({ capabilities: ['a'], capacity: 2 });
    const decision = updateAgent(agent, { capacity: 4 }, 'agent.updated', changeContext());
    expect(decision.agent).toMatchObject({
      capacity: 4,
      capabilities: ['a'],
      version: 2,
      updatedAt: NOW.toISOString(),
    });
    expect(decision.write).toEqual({ kind: 'agent', agent: decision.agent, expectedVersion: 1 });
    expect(decision.events[0]).toMatchObject({
      action: 'agent.updated',
      entityType: 'agent',
      seq: 2,
      before: { capacity: 2 },
      after: { capacity: 4 },
    });
    expect(JSON.stringify(decision.events)).not.toContain('tok-a');
  });
});

describe('retireAgent', () => {
  it('starts a retirement; an agent holding nothing is retired at once', () => {
    const busy = retireAgent(anAgent({ activeClaims: 1 }), 'drain', 'agent.retired', changeContext());
    expect(busy?.agent.retirement).toEqual({ mode: 'drain', requestedAt: NOW.toISOString() });
    const idle = retireAgent(anAgent(), 'release', 'agent.retired', changeContext());
    expect(idle?.agent.retirement).toEqual({
      mode: 'release',
      requestedAt: NOW.toISOString(),
      retiredAt: NOW.toISOString(),
    });
  });

  it('switches drain to release keeping the request time, and ignores a repeat', () => {
    const retiring = anAgent({
      activeClaims: 1,
      retirement: { mode: 'drain', requestedAt: minutesFromNow(-5) },
    });
    expect(retireAgent(retiring, 'release', 'agent.retired', changeContext())?.agent.retirement).toEqual({
      mode: 'release',
      requestedAt: minutesFromNow(-5),
    });
    expect(retireAgent(retiring, 'drain', 'agent.retired', changeContext())).toBeUndefined();
  });
});

describe('recordHeartbeat', () => {
  it('records the time and reported status, with no event when nothing observable changed', () => {
    const decision = recordHeartbeat(
      anAgent({ lastHeartbeatAt: minutesFromNow(-1) }),
      { at: NOW },
      3,
      changeContext(),
    );
    expect(decision?.agent).toMatchObject({ lastHeartbeatAt: NOW.toISOString(), version: 2 });
    expect(decision?.write).toEqual({ kind: 'agent', agent: decision?.agent, expectedVersion: 1 });
    expect(decision?.events).toEqual([]);
  });

  it('records the time the heartbeat was received, not the time it is applied', () => {
    const receivedAt = new Date(minutesFromNow(-0.5));
    const decision = recordHeartbeat(
      anAgent({ lastHeartbeatAt: minutesFromNow(-1) }),
      { at: receivedAt },
      3,
      changeContext(),
    );
    expect(decision?.agent).toMatchObject({
      lastHeartbeatAt: receivedAt.toISOString(),
      updatedAt: NOW.toISOString(),
    });
  });

  it('writes agent.status when an offline agent comes back', () => {
    const decision = recordHeartbeat(
      anAgent({ lastHeartbeatAt: minutesFromNow(-10) }),
      { at: NOW },
      3,
      changeContext(),
    );
    expect(decision?.events).toEqual([
      expect.objectContaining({
        action: 'agent.status',
        seq: 2,
        before: { status: 'offline' },
        after: { status: 'idle' },
      }),
    ]);
  });

  it('writes agent.status when the reported status changes', () => {
    const decision = recordHeartbeat(
      anAgent({ reportedStatus: 'idle', lastHeartbeatAt: minutesFromNow(-1) }),
      { at: NOW, status: 'active' },
      3,
      changeContext(),
    );
    expect(decision?.agent.reportedStatus).toBe('active');
    expect(decision?.events[0]).toMatchObject({
      before: { reportedStatus: 'idle' },
      after: { reportedStatus: 'active' },
    });
  });

  it('decides nothing for a heartbeat no later than the recorded one (a redelivery or an overtaken one)', () => {
    const agent = anAgent({ lastHeartbeatAt: NOW.toISOString(), reportedStatus: 'idle' });
    expect(recordHeartbeat(agent, { at: NOW, status: 'active' }, 3, changeContext())).toBeUndefined();
    expect(
      recordHeartbeat(agent, { at: new Date(minutesFromNow(-1)), status: 'active' }, 3, changeContext()),
    ).toBeUndefined();
  });
});

describe('replaceToken', () => {
  it('names the new token', () => {
    expect(replaceToken(anAgent(), 'tok-b', 'agent.token_issued', changeContext()).agent.tokenId).toBe(
      'tok-b',
    );
  });
});

describe('agent decisions: copies, registration events and finished retirements', () => {
  it('keeps the capabilities an agent registers with', () => {
    const capabilities = ['ts', 'aws'];
    const agent = newAgent({ id: 'a-1', team: 'core', capabilities }, 'tok-1', NOW);
    expect(agent.capabilities).toEqual(['ts', 'aws']);
    expect(agent.capabilities).not.toBe(capabilities);
  });

  it('sets the capabilities a patch gives', () => {
    const capabilities = ['gpu', 'ts'];
    const decision = updateAgent(
      anAgent({ capabilities: ['a'] }),
      { capabilities },
      'agent.updated',
      changeContext(),
    );
    expect(decision.agent.capabilities).toEqual(['gpu', 'ts']);
    expect(decision.agent.capabilities).not.toBe(capabilities);
    expect(decision.events[0]).toMatchObject({
      before: { capabilities: ['a'] },
      after: { capabilities: ['gpu', 'ts'] },
    });
  });

  it('records the whole registered agent, without its token, in the registration event', () => {
    const agent = newAgent({ id: 'a-1', team: 'core', capacity: 2 }, 'tok-secret', NOW);
    const event = agentEvent(changeContext(), 'agent.registered', undefined, agent);
    expect(event).toMatchObject({
      action: 'agent.registered',
      entityId: 'a-1',
      seq: 1,
      agentId: 'a-1',
      team: 'core',
      after: { team: 'core', capacity: 2, heartbeatIntervalSec: 30, capabilities: [] },
    });
    expect(event.before).toBeUndefined();
    expect(JSON.stringify(event)).not.toContain('tok-secret');
  });

  it('changes nothing for an agent whose retirement has finished, whatever mode is asked', () => {
    const retired = anAgent({
      retirement: { mode: 'drain', requestedAt: minutesFromNow(-5), retiredAt: minutesFromNow(-1) },
    });
    expect(retireAgent(retired, 'release', 'agent.retired', changeContext())).toBeUndefined();
  });
});
