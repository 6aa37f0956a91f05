import { auditEvent } from '../audit';
import { assertWorksIn, teamLimitOf } from '../authz';
import { holderInfo, newClaim } from '../claims/holder';
import {
  AgentRetiringError,
  AlreadyClaimedError,
  CapacityExceededError,
  InvalidStateError,
  MissingCapabilitiesError,
  NotClaimableError,
} from '../errors';
import { Action } from '../events';
import type { Agent, WorkItem } from '../model';
import { EntityType } from '../model';
import type { Write } from '../ports';
import { iso } from '../time';
import { isHeld, WorkStatus } from './status';
import { advance, decide, type WorkContext, type WorkDecision } from './write';

/** Required capabilities the agent lacks, in the item's order. */
export const missingCapabilities = (
  item: Pick<WorkItem, 'requiredCapabilities'>,
  agent: Pick<Agent, 'capabilities'>,
): string[] => item.requiredCapabilities.filter((capability) => !agent.capabilities.includes(capability));

/**
 * Whether the agent may take new work at all: not retiring and below capacity.
 * @throws AgentRetiringError when a retirement was requested.
 * @throws CapacityExceededError when the agent already holds `capacity` items.
 */
export const assertCanTakeWork = (agent: Agent): void => {
  if (agent.retirement !== undefined)
    throw new AgentRetiringError(agent.id, agent.retirement.retiredAt !== undefined);
  if (agent.activeClaims >= agent.capacity) throw new CapacityExceededError(agent.id, agent.capacity);
};

/**
 * Whether `agent` may take this item (state of the item first, then of the agent).
 * @throws AlreadyClaimedError when another agent holds it (with the holder's liveness).
 * @throws NotClaimableError when it is neither ready nor held.
 * @throws AgentRetiringError, MissingCapabilitiesError, CapacityExceededError from the agent's side.
 * @throws ForbiddenError first, when the agent works only in another team.
 */
const assertClaimable = (item: WorkItem, agent: Agent, ctx: WorkContext): void => {
  assertWorksIn(teamLimitOf(agent), item.team, agent.id);
  if (item.claim && isHeld(item.status)) {
    throw new AlreadyClaimedError(
      item.id,
      holderInfo(item.claim, ctx.now, ctx.settings.heartbeatTimeoutMultiple),
    );
  }
  if (item.status !== WorkStatus.Ready) throw new NotClaimableError(item.id, item.status);
  if (agent.retirement !== undefined)
    throw new AgentRetiringError(agent.id, agent.retirement.retiredAt !== undefined);
  const missing = missingCapabilities(item, agent);
  if (missing.length > 0) throw new MissingCapabilitiesError(missing);
  assertCanTakeWork(agent);
};

/**
 * `agent` claims the item with the fresh `token`: ready -> claimed, the agent's `activeClaims`
 * + 1 under the store's capacity guard, and the claim counts as its heartbeat. When the agent
 * already holds the item it gets a fresh token instead (the old one goes stale) and no capacity
 * or retirement check applies: it holds the item already.
 * @throws AlreadyClaimedError, NotClaimableError, AgentRetiringError, MissingCapabilitiesError, CapacityExceededError, ForbiddenError
 */
export const claimWork = (item: WorkItem, agent: Agent, token: string, ctx: WorkContext): WorkDecision => {
  const { leaseSeconds } = ctx.settings;
  if (item.claim && isHeld(item.status) && item.claim.agentId === agent.id) {
    const claim = { ...newClaim(agent, token, ctx.now, leaseSeconds), claimedAt: item.claim.claimedAt };
    return decide(item, advance(item, { claim }, ctx), Action.WorkClaimed, ctx);
  }
  assertClaimable(item, agent, ctx);
  const next = advance(
    item,
    {
      status: WorkStatus.Claimed,
      claim: newClaim(agent, token, ctx.now, leaseSeconds),
      progress: 0,
      readyAt: undefined,
    },
    ctx,
  );
  const countClaim: Write = {
    kind: 'agentClaims',
    agentId: agent.id,
    delta: 1,
    heartbeatAt: iso(ctx.now),
    stats: { claims: 1 },
  };
  return decide(item, next, Action.WorkClaimed, ctx, { writes: [countClaim] });
};

/**
 * The write that frees one unit of the holder's capacity (with stats to count), applied only
 * while the holder has not heartbeaten after `silentSince` when that is given (a lease expiry).
 */
export const freeHolder = (
  agentId: string,
  stats?: Extract<Write, { kind: 'agentClaims' }>['stats'],
  silentSince?: string,
): Write => ({
  kind: 'agentClaims',
  agentId,
  delta: -1,
  ...(stats ? { stats } : {}),
  ...(silentSince === undefined ? {} : { silentSince }),
});

/**
 * An admin takes the item from its holder. Without `target` it goes back to ready (the token
 * goes stale, `attempts` unchanged). With `target` it is claimed for that agent with the fresh
 * `token` (written as a versioned put of the agent, so the `assignment` event can carry the
 * agent's next version as its `seq`); a ready item may be assigned this way too.
 * @throws InvalidStateError when the item is neither held nor (with a target) ready.
 * @throws AgentRetiringError, MissingCapabilitiesError, CapacityExceededError for the target.
 * @throws ForbiddenError when the target works only in another team.
 */
export const reassignWork = (
  item: WorkItem,
  target: { agent: Agent; token: string } | undefined,
  ctx: WorkContext,
): WorkDecision => {
  const holder = item.claim && isHeld(item.status) ? item.claim.agentId : undefined;
  if (holder === undefined && !(target && item.status === WorkStatus.Ready)) {
    throw new InvalidStateError(
      `Work item ${item.id} is ${item.status}; there is no claim to reassign.`,
      item.status,
    );
  }
  if (!target) return revokeClaim(item, Action.WorkReassigned, ctx) as WorkDecision;
  const releaseHolder = holder !== undefined && holder !== target.agent.id ? [freeHolder(holder)] : [];
  const { agent, token } = target;
  const takesNewSlot = holder !== agent.id;
  if (takesNewSlot) {
    assertWorksIn(teamLimitOf(agent), item.team, agent.id);
    if (agent.retirement !== undefined)
      throw new AgentRetiringError(agent.id, agent.retirement.retiredAt !== undefined);
    const missing = missingCapabilities(item, agent);
    if (missing.length > 0) throw new MissingCapabilitiesError(missing);
    assertCanTakeWork(agent);
  }
  const claim = newClaim(agent, token, ctx.now, ctx.settings.leaseSeconds, agent.lastHeartbeatAt);
  const next = advance(
    item,
    {
      status: holder === agent.id ? item.status : WorkStatus.Claimed,
      claim,
      progress: holder === agent.id ? item.progress : 0,
      readyAt: undefined,
    },
    ctx,
  );
  const nextAgent: Agent = {
    ...agent,
    activeClaims: agent.activeClaims + (takesNewSlot ? 1 : 0),
    stats: { ...agent.stats, claims: agent.stats.claims + (takesNewSlot ? 1 : 0) },
    version: agent.version + 1,
    updatedAt: iso(ctx.now),
  };
  const assignment = auditEvent(ctx, {
    action: Action.Assignment,
    entityType: EntityType.Agent,
    entityId: agent.id,
    seq: nextAgent.version,
    agentId: agent.id,
    team: item.team,
    after: { workId: item.id, leaseExpiresAt: claim.leaseExpiresAt },
  });
  return decide(item, next, Action.WorkReassigned, ctx, {
    writes: [...releaseHolder, { kind: 'agent', agent: nextAgent, expectedVersion: agent.version }],
    events: [assignment],
    agentId: agent.id,
  });
};

/**
 * The item's claim ends without an attempt counted (reassign without a target, a retiring agent
 * releasing its work): -> ready, the token goes stale, the holder's capacity frees. Returns
 * `undefined` when the item is not held.
 */
export const revokeClaim = (item: WorkItem, action: string, ctx: WorkContext): WorkDecision | undefined => {
  if (!item.claim || !isHeld(item.status)) return undefined;
  const holder = item.claim.agentId;
  const next = advance(
    item,
    { status: WorkStatus.Ready, claim: undefined, progress: 0, readyAt: iso(ctx.now) },
    ctx,
  );
  return decide(item, next, action, ctx, { writes: [freeHolder(holder)], agentId: holder });
};
