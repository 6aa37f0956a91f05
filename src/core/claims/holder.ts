import { isOffline } from '../agents/liveness';
import { AgentStatus } from '../agents/status';
import { ForbiddenError, type HolderInfo, StaleClaimError } from '../errors';
import type { Agent, WorkClaim, WorkItem } from '../model';
import { addSeconds, isBefore, iso } from '../time';

/**
 * The holder as conflicts report it, from the claim's liveness snapshot (no agent read):
 * `offline` past the heartbeat timeout, else `active`.
 */
export const holderInfo = (claim: WorkClaim, now: Date, heartbeatTimeoutMultiple: number): HolderInfo => ({
  agentId: claim.agentId,
  status: isOffline(
    claim.holderLastHeartbeatAt,
    claim.holderHeartbeatIntervalSec,
    now,
    heartbeatTimeoutMultiple,
  )
    ? AgentStatus.Offline
    : AgentStatus.Active,
  lastHeartbeatAt: claim.holderLastHeartbeatAt,
  leaseExpiresAt: claim.leaseExpiresAt,
});

/** Compares two secrets in time independent of where they differ (claim tokens have a fixed length). */
export const sameSecret = (given: string, expected: string): boolean => {
  if (given.length !== expected.length) return false;
  let difference = 0;
  for (let i = 0; i < expected.length; i += 1) difference |= given.charCodeAt(i) ^ expected.charCodeAt(i);
  return difference === 0;
};

/**
 * The item's claim when `token` is its current claim token and `agentId` its holder.
 * The token decides first (API.md "Order of checks"): a token that is not current is stale
 * whoever sends it; a current token sent by another agent is forbidden.
 * @throws StaleClaimError when the token is not the item's current claim token.
 * @throws ForbiddenError when the token is current but `agentId` is not the holder.
 */
export const currentClaim = (
  item: WorkItem,
  token: string,
  agentId: string,
  now: Date,
  heartbeatTimeoutMultiple: number,
): WorkClaim => {
  const { claim } = item;
  if (!claim || !sameSecret(token, claim.token)) {
    throw new StaleClaimError(
      item.id,
      item.status,
      claim && holderInfo(claim, now, heartbeatTimeoutMultiple),
    );
  }
  if (claim.agentId !== agentId) {
    throw new ForbiddenError(`Only the holder of work item ${item.id} may use its claim token.`);
  }
  return claim;
};

/** A fresh claim of `agent` with token `token` and a lease of `leaseSeconds` from `now`. */
export const newClaim = (
  agent: Pick<Agent, 'id' | 'lastHeartbeatAt' | 'heartbeatIntervalSec'>,
  token: string,
  now: Date,
  leaseSeconds: number,
  holderLastHeartbeatAt: string = iso(now),
): WorkClaim => ({
  agentId: agent.id,
  token,
  claimedAt: iso(now),
  leaseExpiresAt: addSeconds(now, leaseSeconds),
  holderLastHeartbeatAt,
  holderHeartbeatIntervalSec: agent.heartbeatIntervalSec,
});

/** The claim with its lease renewed from `now` and its holder seen alive at `now`. */
export const renewedClaim = (claim: WorkClaim, now: Date, leaseSeconds: number): WorkClaim => ({
  ...claim,
  leaseExpiresAt: addSeconds(now, leaseSeconds),
  holderLastHeartbeatAt: iso(now),
});

/**
 * When the claim's lease runs out: a lease follows its holder's heartbeat, so it is the later of
 * the expiry written on the item (at the claim or the holder's last progress) and the holder's
 * last heartbeat plus `leaseSeconds`. A heartbeat therefore writes only the agent, never the
 * items it holds, and no holder write loses a race to its own heartbeat.
 * @param holderLastHeartbeatAt the holder's `lastHeartbeatAt` as read; `undefined` when unknown
 * (the holder is gone), which leaves the written expiry.
 */
export const leaseExpiry = (
  claim: Pick<WorkClaim, 'leaseExpiresAt'>,
  holderLastHeartbeatAt: string | undefined,
  leaseSeconds: number,
): string => {
  if (holderLastHeartbeatAt === undefined) return claim.leaseExpiresAt;
  const followed = addSeconds(holderLastHeartbeatAt, leaseSeconds);
  return isBefore(claim.leaseExpiresAt, followed) ? followed : claim.leaseExpiresAt;
};

/**
 * The latest `lastHeartbeatAt` a holder may have for its leases to have run out by `now`: an
 * expiry writes its capacity release on condition that the holder has not heartbeaten since
 * (a heartbeat that lands between the sweeper's read and its write wins).
 */
export const silentSinceCutoff = (now: Date, leaseSeconds: number): string => addSeconds(now, -leaseSeconds);
