import { AGENT_DEFAULTS, agentSnapshot, EMPTY_STATS } from '../agents/lifecycle';
import { AgentStatus, RetireMode } from '../agents/status';
import { auditEvent, type ChangeContext, withoutUndefined } from '../audit';
import { Action } from '../events';
import { type Agent, EntityType } from '../model';
import { iso } from '../time';
import type { Imported } from './fingerprint';
import { decideExisting, type ImportDecision } from './outcome';
import { type AgentRecord, type FullAgentRecord, withAgentDefaults } from './records';
import { latestOf, storedTime } from './times';

/**
 * The agent an import stores: its own id, team, settings, metadata and times, no claims yet
 * (imported claims count themselves in), no token (an admin issues one with
 * `POST /v1/agents/{id}/token`). A `retired` status is kept as a finished retirement at its last
 * heartbeat; any other status is derived as usual from `lastHeartbeatAt`.
 */
export const importedAgent = (record: FullAgentRecord, fingerprint: string): Imported<Agent> => {
  const lastHeartbeatAt = storedTime(record.lastHeartbeatAt);
  const isRetired = record.status === AgentStatus.Retired;
  return withoutUndefined({
    id: record.id,
    team: record.team,
    capabilities: [...(record.capabilities ?? [])],
    capacity: record.capacity ?? AGENT_DEFAULTS.capacity,
    heartbeatIntervalSec: record.heartbeatIntervalSec ?? AGENT_DEFAULTS.heartbeatIntervalSec,
    metadata: record.metadata,
    activeClaims: 0,
    lastHeartbeatAt,
    retirement: isRetired
      ? { mode: RetireMode.Drain, requestedAt: lastHeartbeatAt, retiredAt: lastHeartbeatAt }
      : undefined,
    stats: EMPTY_STATS,
    version: 1,
    createdAt: storedTime(record.createdAt),
    updatedAt: latestOf(record.createdAt, record.lastHeartbeatAt),
    importFingerprint: fingerprint,
  });
};

/**
 * Importing one agent: stored as {@link importedAgent} with an `agent.imported` event when the id
 * is free; `unchanged` when it was imported before with the same content; a conflict otherwise.
 */
export const importAgent = (
  record: AgentRecord,
  existing: Agent | undefined,
  fingerprint: string,
  ctx: ChangeContext,
): ImportDecision => {
  if (existing) return decideExisting(existing, fingerprint, 'agent');
  const agent = importedAgent(withAgentDefaults(record, iso(ctx.now)), fingerprint);
  const event = auditEvent(ctx, {
    action: Action.AgentImported,
    entityType: EntityType.Agent,
    entityId: agent.id,
    seq: agent.version,
    agentId: agent.id,
    team: agent.team,
    after: { ...agentSnapshot(agent), createdAt: agent.createdAt, lastHeartbeatAt: agent.lastHeartbeatAt },
  });
  return {
    outcome: 'created',
    change: { writes: [{ kind: 'agent', agent, expectedVersion: null }], events: [event] },
  };
};
