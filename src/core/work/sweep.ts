/**
 * The sweeper's rules: what one periodic pass decides about an expired lease, an item due for
 * review, and an agent that stopped heartbeating. Each returns `undefined` when there is nothing
 * to do, so running the sweeper twice, or beside claims and heartbeats, changes nothing twice.
 */
import { agentStatus } from '../agents/liveness';
import { AgentStatus } from '../agents/status';
import { auditEvent, type ChangeContext } from '../audit';
import { leaseExpiry } from '../claims/holder';
import { Action } from '../events';
import type { Agent } from '../model';
import { EntityType, type WorkItem } from '../model';
import type { Change } from '../ports';
import type { Settings } from '../settings';
import { isBefore, iso } from '../time';
import { expireLease } from './holder-actions';
import { isHeld, WorkStatus } from './status';
import { advance, decide, type WorkContext, type WorkDecision } from './write';

/** An expired lease ended: the decision, and whether it spent the retry budget. */
export interface LeaseExpiry extends WorkDecision {
  readonly escalated: boolean;
}

/**
 * The claim fenced by `token` ends because its lease ran out (see `expireLease`): `attempts` + 1,
 * back to ready or, with the budget spent, escalated. `undefined` when that claim is no longer
 * the item's (a re-claim, a release, a reassign happened since it was read) or its lease runs on
 * (a progress call, or a heartbeat of its holder).
 */
export const expireClaim = (
  item: WorkItem,
  token: string,
  ctx: WorkContext,
  holderLastHeartbeatAt?: string,
): LeaseExpiry | undefined => {
  if (item.claim?.token !== token) return undefined;
  const decision = expireLease(item, ctx, holderLastHeartbeatAt);
  return decision && { ...decision, escalated: decision.item.status === WorkStatus.Escalated };
};

/**
 * The write that brings the lease written on a held item up to the lease its holder's heartbeats
 * give it, so the leases index (ordered by the written expiry) stops offering it to the sweeper
 * until then. `undefined` when the claim is not `token`'s any more, its lease has run out, or the
 * written lease already runs as long.
 */
export const catchUpLease = (
  item: WorkItem,
  token: string,
  holderLastHeartbeatAt: string | undefined,
  ctx: WorkContext,
): Change | undefined => {
  const { claim } = item;
  if (!claim || claim.token !== token || !isHeld(item.status) || holderLastHeartbeatAt === undefined) {
    return undefined;
  }
  const leaseExpiresAt = leaseExpiry(claim, holderLastHeartbeatAt, ctx.settings.leaseSeconds);
  if (!isBefore(ctx.now, leaseExpiresAt) || !isBefore(claim.leaseExpiresAt, leaseExpiresAt)) return undefined;
  return {
    writes: [{ kind: 'workLease', workId: item.id, token, leaseExpiresAt, holderLastHeartbeatAt }],
    events: [],
  };
};

/** A review of a ready or blocked item: the decision, and whether its deadline escalation is due. */
export interface Review extends WorkDecision {
  /** The deadline passed and no `deadline` escalation was asked for yet: ask now. */
  readonly escalateDeadline: boolean;
}

/**
 * The item's review came due: its stored urgency (which orders the ready index) is recomputed
 * at now, and when its deadline has passed unescalated it is marked as escalated (the caller
 * asks for the escalation). No audit event: the urgency shown to readers is always computed at
 * read time, so nothing observable changes. `undefined` when the item is not due (any more).
 */
export const reviewItem = (item: WorkItem, ctx: WorkContext): Review | undefined => {
  const { reviewAt } = item;
  if (reviewAt === undefined || isBefore(ctx.now, reviewAt)) return undefined;
  if (item.status !== WorkStatus.Ready && item.status !== WorkStatus.Blocked) return undefined;
  const escalateDeadline =
    item.deadline !== undefined &&
    item.deadlineEscalatedAt === undefined &&
    !isBefore(ctx.now, item.deadline);
  const next = advance(item, escalateDeadline ? { deadlineEscalatedAt: iso(ctx.now) } : {}, ctx);
  return {
    item: next,
    change: { writes: [{ kind: 'work', item: next, expectedVersion: item.version }], events: [] },
    escalateDeadline,
  };
};

/** An agent announced offline: the agent as it will be stored and the change. */
export interface OfflineNotice {
  readonly agent: Agent;
  readonly change: Change;
}

/**
 * An agent whose heartbeats stopped is announced `offline` once per silence: an `agent.status`
 * event (live clients and the audit log see it) and `offlineSince` on the agent. A heartbeat
 * after `offlineSince` starts a new silence. `undefined` while the agent is not offline (or
 * is retiring or retired), or when this silence was announced already.
 */
export const markAgentOffline = (
  agent: Agent,
  ctx: ChangeContext & { readonly settings: Pick<Settings, 'heartbeatTimeoutMultiple'> },
): OfflineNotice | undefined => {
  if (agentStatus(agent, ctx.now, ctx.settings.heartbeatTimeoutMultiple) !== AgentStatus.Offline) {
    return undefined;
  }
  if (agent.offlineSince !== undefined && !isBefore(agent.offlineSince, agent.lastHeartbeatAt)) {
    return undefined;
  }
  const next: Agent = {
    ...agent,
    offlineSince: iso(ctx.now),
    version: agent.version + 1,
    updatedAt: iso(ctx.now),
  };
  const event = auditEvent(ctx, {
    action: Action.AgentStatus,
    entityType: EntityType.Agent,
    entityId: agent.id,
    seq: next.version,
    agentId: agent.id,
    team: agent.team,
    before: { status: agent.activeClaims > 0 ? AgentStatus.Active : AgentStatus.Idle },
    after: { status: AgentStatus.Offline, lastHeartbeatAt: agent.lastHeartbeatAt },
  });
  return {
    agent: next,
    change: { writes: [{ kind: 'agent', agent: next, expectedVersion: agent.version }], events: [event] },
  };
};

/**
 * Repair of an unblock a crash interrupted: a blocked item stops waiting on every dependency
 * that is completed (and becomes ready, aging from now, when none is left), in one change with a
 * `work.unblocked` event. `undefined` when it waits on no completed dependency.
 * @param dependencies the stored items the item waits on (others are ignored).
 */
export const repairUnblock = (
  item: WorkItem,
  dependencies: readonly WorkItem[],
  ctx: WorkContext,
): WorkDecision | undefined => {
  if (item.status !== WorkStatus.Blocked) return undefined;
  const completed = new Set(dependencies.filter((d) => d.status === WorkStatus.Completed).map((d) => d.id));
  const remainingDeps = item.remainingDeps.filter((id) => !completed.has(id));
  if (remainingDeps.length === item.remainingDeps.length) return undefined;
  const next = advance(
    item,
    remainingDeps.length === 0
      ? { remainingDeps, status: WorkStatus.Ready, readyAt: iso(ctx.now) }
      : { remainingDeps },
    ctx,
  );
  return decide(item, next, Action.WorkUnblocked, ctx);
};
