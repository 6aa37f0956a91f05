import type { Agent } from '../model';
import { secondsBetween } from '../time';
import { AgentStatus } from './status';

/** Whether `now` is past `heartbeatTimeoutMultiple` x the interval since the last heartbeat. */
export const isOffline = (
  lastHeartbeatAt: string,
  heartbeatIntervalSec: number,
  now: Date,
  heartbeatTimeoutMultiple: number,
): boolean => secondsBetween(lastHeartbeatAt, now) > heartbeatTimeoutMultiple * heartbeatIntervalSec;

/** Whether a retirement was requested and no claims are left (or it was marked done). */
export const isRetired = (agent: Pick<Agent, 'retirement' | 'activeClaims'>): boolean =>
  agent.retirement !== undefined && (agent.retirement.retiredAt !== undefined || agent.activeClaims <= 0);

/**
 * The derived status (API.md "Agents"): `retired` once a retirement has no claims left,
 * `retiring` while it does, `offline` past the heartbeat timeout, else `active` with claims
 * and `idle` without. Never stored, so it cannot go stale.
 */
export const agentStatus = (
  agent: Pick<Agent, 'retirement' | 'activeClaims' | 'lastHeartbeatAt' | 'heartbeatIntervalSec'>,
  now: Date,
  heartbeatTimeoutMultiple: number,
): AgentStatus => {
  if (isRetired(agent)) return AgentStatus.Retired;
  if (agent.retirement !== undefined) return AgentStatus.Retiring;
  if (isOffline(agent.lastHeartbeatAt, agent.heartbeatIntervalSec, now, heartbeatTimeoutMultiple)) {
    return AgentStatus.Offline;
  }
  return agent.activeClaims > 0 ? AgentStatus.Active : AgentStatus.Idle;
};
