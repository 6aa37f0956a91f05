import { describe, expect, it } from 'vitest';
import { agentStatus } from '#core/agents/liveness';
import { importAgent, importedAgent } from '#core/import/agents';
import type { FullAgentRecord as AgentRecord } from '#core/import/records';
import * as defaults from '#core/import/records';
import type { Agent } from '#core/model';
import { anAgent, changeContext, NOW } from '../builders';

const record = (overrides: Partial<AgentRecord> = {}): AgentRecord => ({
  id: 'agent_1795250283409565600',
  team: 'platform_team',
  capabilities: ['infrastructure'],
  capacity: 5,
  status: 'active',
  createdAt: '2026-02-21T08:38:03Z',
  lastHeartbeatAt: '2026-02-24T12:38:12Z',
  metadata: { legacy: { reactor_id: 'shell_agent' } },
  ...overrides,
});

const createdAgent = (decision: ReturnType<typeof importAgent>): Agent => {
  if (decision.outcome !== 'created') throw new Error(`expected created, got ${decision.outcome}`);
  const [write] = decision.change.writes;
  if (write?.kind !== 'agent') throw new Error('expected an agent write');
  return write.agent;
};

describe('importAgent', () => {
  it('stores the agent with its own id, team, settings, metadata and times, no claims and no token', () => {
    const decision = importAgent(record(), undefined, 'fp-1', changeContext());

    const agent = createdAgent(decision);
    expect(agent).toEqual({
      id: 'agent_1795250283409565600',
      team: 'platform_team',
      capabilities: ['infrastructure'],
      capacity: 5,
      heartbeatIntervalSec: 30,
      metadata: { legacy: { reactor_id: 'shell_agent' } },
      activeClaims: 0,
      lastHeartbeatAt: '2026-02-24T12:38:12.000Z',
      stats: { claims: 0, completed: 0, failed: 0, leaseExpiries: 0, speedRatioSum: 0, speedSamples: 0 },
      version: 1,
      createdAt: '2026-02-21T08:38:03.000Z',
      updatedAt: '2026-02-24T12:38:12.000Z',
      importFingerprint: 'fp-1',
    });
    expect(decision.outcome === 'created' && decision.change.writes[0]).toMatchObject({
      expectedVersion: null,
    });
  });

  it('records an agent.imported event by the importing admin at seq 1', () => {
    const decision = importAgent(record(), undefined, 'fp-1', changeContext());

    expect(decision.outcome === 'created' && decision.change.events).toEqual([
      expect.objectContaining({
        action: 'agent.imported',
        entityType: 'agent',
        entityId: 'agent_1795250283409565600',
        seq: 1,
        at: NOW.toISOString(),
        actor: { type: 'admin', id: 'admin' },
        agentId: 'agent_1795250283409565600',
        team: 'platform_team',
        requestId: 'req-1',
        after: expect.objectContaining({ capacity: 5, lastHeartbeatAt: '2026-02-24T12:38:12.000Z' }),
      }),
    ]);
  });

  it('fills the registration defaults for settings the record leaves out', () => {
    const agent = importedAgent(
      {
        id: 'a-1',
        team: 't',
        status: 'idle',
        createdAt: NOW.toISOString(),
        lastHeartbeatAt: NOW.toISOString(),
      },
      'fp',
    );

    expect(agent).toMatchObject({ capabilities: [], capacity: 1, heartbeatIntervalSec: 30 });
    expect(agent).not.toHaveProperty('metadata');
  });

  it('keeps a retired status as a finished retirement at the last heartbeat', () => {
    const agent = importedAgent(record({ status: 'retired' }), 'fp');

    expect(agent.retirement).toEqual({
      mode: 'drain',
      requestedAt: '2026-02-24T12:38:12.000Z',
      retiredAt: '2026-02-24T12:38:12.000Z',
    });
    expect(agentStatus(agent, NOW, 3)).toBe('retired');
  });

  it.each(['active', 'idle', 'retiring', 'offline'] as const)(
    'derives the status of an agent imported as %s from its last heartbeat',
    (status) => {
      const stale = importedAgent(record({ status }), 'fp');
      const fresh = importedAgent(record({ status, lastHeartbeatAt: NOW.toISOString() }), 'fp');

      expect(stale).not.toHaveProperty('retirement');
      expect(agentStatus(stale, NOW, 3)).toBe('offline');
      expect(agentStatus(fresh, NOW, 3)).toBe('idle');
    },
  );

  it('answers unchanged for an agent imported before with the same content, even after it changed', () => {
    const existing = { ...anAgent({ id: 'agent-a', capacity: 9, version: 7 }), importFingerprint: 'fp-1' };

    expect(importAgent(record({ id: 'agent-a' }), existing, 'fp-1', changeContext())).toEqual({
      outcome: 'unchanged',
    });
  });

  it('reports a conflict for other content, and for an agent that was registered, never overwriting', () => {
    const imported = { ...anAgent({ id: 'agent-a' }), importFingerprint: 'fp-1' };
    const registered = anAgent({ id: 'agent-a' });

    expect(importAgent(record({ id: 'agent-a' }), imported, 'fp-2', changeContext())).toEqual({
      outcome: 'conflict',
      reason: 'agent agent-a was imported with other content; an import never overwrites it',
    });
    expect(importAgent(record({ id: 'agent-a' }), registered, 'fp-1', changeContext())).toEqual({
      outcome: 'conflict',
      reason: 'agent agent-a exists and was not imported; an import never overwrites it',
    });
  });
});

describe('an agent record with only the registration fields', () => {
  it('is created at the import time and last heard of then', () => {
    const { withAgentDefaults } = defaults;

    expect(withAgentDefaults({ id: 'a-1', team: 't' }, '2026-12-04T10:00:00.000Z')).toEqual({
      id: 'a-1',
      team: 't',
      createdAt: '2026-12-04T10:00:00.000Z',
      lastHeartbeatAt: '2026-12-04T10:00:00.000Z',
    });
    expect(
      withAgentDefaults(
        { id: 'a-1', team: 't', createdAt: '2025-01-01T00:00:00Z' },
        '2026-12-04T10:00:00.000Z',
      ).lastHeartbeatAt,
    ).toBe('2025-01-01T00:00:00Z');
  });
});
