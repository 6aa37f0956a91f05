/** Derived agent states (API.md "Agents"); the only place these literals are spelled. */
export const AgentStatus = {
  Active: 'active',
  Idle: 'idle',
  Offline: 'offline',
  Retiring: 'retiring',
  Retired: 'retired',
} as const;

/** An agent's derived status. */
export type AgentStatus = (typeof AgentStatus)[keyof typeof AgentStatus];

/** All agent statuses. */
export const AGENT_STATUSES: readonly AgentStatus[] = Object.values(AgentStatus);

/** What an agent may report about itself in a heartbeat (kept as `reportedStatus`). */
export const ReportedStatus = { Active: 'active', Idle: 'idle' } as const;

/** A status an agent reports in a heartbeat. */
export type ReportedStatus = (typeof ReportedStatus)[keyof typeof ReportedStatus];

/** How a retiring agent treats the claims it still holds. */
export const RetireMode = { Drain: 'drain', Release: 'release' } as const;

/** A retirement mode. */
export type RetireMode = (typeof RetireMode)[keyof typeof RetireMode];
