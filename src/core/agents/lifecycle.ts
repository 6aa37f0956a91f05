import { auditEvent, type ChangeContext, changedFields, withoutUndefined } from '../audit';
import { Action } from '../events';
import type { Agent, AgentStats, AuditEvent, JsonObject } from '../model';
import { EntityType } from '../model';
import type { AgentPut } from '../ports';
import { isBefore, iso } from '../time';
import { agentStatus } from './liveness';
import type { ReportedStatus, RetireMode } from './status';

/** Defaults of a registration (API.md "Endpoints", `POST /v1/agents`). */
export const AGENT_DEFAULTS = { capacity: 1, heartbeatIntervalSec: 30 } as const;

/** Stats of an agent that has done nothing yet. */
export const EMPTY_STATS: AgentStats = {
  claims: 0,
  completed: 0,
  failed: 0,
  leaseExpiries: 0,
  speedRatioSum: 0,
  speedSamples: 0,
};

/** What a registration supplies. */
export interface NewAgent {
  readonly id: string;
  readonly team: string;
  readonly capabilities?: readonly string[];
  readonly capacity?: number;
  readonly heartbeatIntervalSec?: number;
  readonly metadata?: JsonObject;
}

/** What `PATCH /v1/agents/{id}` may change. */
export interface AgentPatch {
  readonly capabilities?: readonly string[];
  readonly capacity?: number;
  readonly heartbeatIntervalSec?: number;
  readonly metadata?: JsonObject;
}

/** A decided agent change: the next agent, its versioned put and its audit event (if any). */
export interface AgentDecision {
  readonly agent: Agent;
  readonly write: AgentPut;
  readonly events: readonly AuditEvent[];
}

/** The audited fields of an agent (never its token id or stats). */
export const agentSnapshot = (agent: Agent): JsonObject =>
  withoutUndefined({
    team: agent.team,
    capabilities: agent.capabilities,
    capacity: agent.capacity,
    heartbeatIntervalSec: agent.heartbeatIntervalSec,
    metadata: agent.metadata,
    reportedStatus: agent.reportedStatus,
    retirement: agent.retirement,
  });

/** The audit event of an agent change (`prev` undefined for a registration). */
export const agentEvent = (
  ctx: ChangeContext,
  action: string,
  prev: Agent | undefined,
  next: Agent,
): AuditEvent =>
  auditEvent(ctx, {
    action,
    entityType: EntityType.Agent,
    entityId: next.id,
    seq: next.version,
    agentId: next.id,
    team: next.team,
    ...(prev ? changedFields(agentSnapshot(prev), agentSnapshot(next)) : { after: agentSnapshot(next) }),
  });

/**
 * A newly registered agent: idle, registration counting as its first heartbeat, version 1,
 * holding the token `tokenId`.
 */
export const newAgent = (input: NewAgent, tokenId: string, now: Date): Agent => {
  const at = iso(now);
  return withoutUndefined({
    id: input.id,
    team: input.team,
    capabilities: [...(input.capabilities ?? [])],
    capacity: input.capacity ?? AGENT_DEFAULTS.capacity,
    heartbeatIntervalSec: input.heartbeatIntervalSec ?? AGENT_DEFAULTS.heartbeatIntervalSec,
    metadata: input.metadata,
    activeClaims: 0,
    lastHeartbeatAt: at,
    tokenId,
    stats: EMPTY_STATS,
    version: 1,
    createdAt: at,
    updatedAt: at,
  });
};

/** The agent after `patch`, version + 1. */
const advanceAgent = (agent: Agent, patch: Partial<Agent>, now: Date): Agent =>
  withoutUndefined({ ...agent, ...patch, version: agent.version + 1, updatedAt: iso(now) });

const decideAgent = (
  prev: Agent,
  next: Agent,
  action: string | undefined,
  ctx: ChangeContext,
): AgentDecision => ({
  agent: next,
  write: { kind: 'agent', agent: next, expectedVersion: prev.version },
  events: action === undefined ? [] : [agentEvent(ctx, action, prev, next)],
});

/**
 * Apply a patch. Lowering capacity below the claims held is allowed: the agent simply takes
 * nothing new until it is under capacity again.
 */
export const updateAgent = (
  agent: Agent,
  patch: AgentPatch,
  action: string,
  ctx: ChangeContext,
): AgentDecision => {
  const next = advanceAgent(
    agent,
    withoutUndefined({
      capabilities: patch.capabilities && [...patch.capabilities],
      capacity: patch.capacity,
      heartbeatIntervalSec: patch.heartbeatIntervalSec,
      metadata: patch.metadata,
    }),
    ctx.now,
  );
  return decideAgent(agent, next, action, ctx);
};

/**
 * Start (or change the mode of) a retirement: the agent takes no new claims from now on.
 * Returns `undefined` when the same retirement is already in place (nothing to write).
 */
export const retireAgent = (
  agent: Agent,
  mode: RetireMode,
  action: string,
  ctx: ChangeContext,
): AgentDecision | undefined => {
  if (agent.retirement?.mode === mode || agent.retirement?.retiredAt !== undefined) return undefined;
  const at = iso(ctx.now);
  const retirement = withoutUndefined({
    mode,
    requestedAt: agent.retirement?.requestedAt ?? at,
    retiredAt: agent.activeClaims <= 0 ? at : undefined,
  });
  return decideAgent(agent, advanceAgent(agent, { retirement }, ctx.now), action, ctx);
};

/**
 * Record a heartbeat received at `heartbeat.at`: `lastHeartbeatAt` then and the reported status.
 * Heartbeats are liveness, not history: an `agent.status` event is written only when the derived
 * status at `ctx.now` (e.g. offline -> idle) or the reported status changes. Returns `undefined`
 * for a heartbeat no later than the one already recorded (a redelivery, or one overtaken by a
 * later heartbeat or claim): applying heartbeats is idempotent and their order does not matter.
 */
export const recordHeartbeat = (
  agent: Agent,
  heartbeat: { readonly at: Date; readonly status?: ReportedStatus | undefined },
  heartbeatTimeoutMultiple: number,
  ctx: ChangeContext,
): AgentDecision | undefined => {
  if (!isBefore(agent.lastHeartbeatAt, heartbeat.at)) return undefined;
  const next = advanceAgent(
    agent,
    { lastHeartbeatAt: iso(heartbeat.at), reportedStatus: heartbeat.status ?? agent.reportedStatus },
    ctx.now,
  );
  const before = {
    status: agentStatus(agent, ctx.now, heartbeatTimeoutMultiple),
    reportedStatus: agent.reportedStatus,
  };
  const after = {
    status: agentStatus(next, ctx.now, heartbeatTimeoutMultiple),
    reportedStatus: next.reportedStatus,
  };
  const isNews = before.status !== after.status || before.reportedStatus !== after.reportedStatus;
  const event = auditEvent(ctx, {
    action: Action.AgentStatus,
    entityType: EntityType.Agent,
    entityId: next.id,
    seq: next.version,
    agentId: next.id,
    team: next.team,
    ...changedFields(withoutUndefined(before), withoutUndefined(after)),
  });
  return {
    agent: next,
    write: { kind: 'agent', agent: next, expectedVersion: agent.version },
    events: isNews ? [event] : [],
  };
};

/** The agent holding a new current token (the caller deletes the old token record). */
export const replaceToken = (
  agent: Agent,
  tokenId: string,
  action: string,
  ctx: ChangeContext,
): AgentDecision => decideAgent(agent, advanceAgent(agent, { tokenId }, ctx.now), action, ctx);
