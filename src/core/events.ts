/** Audit actions and live event types; the only place these literals are spelled. */
export const Action = {
  WorkCreated: 'work.created',
  WorkClaimed: 'work.claimed',
  WorkProgress: 'work.progress',
  WorkCompleted: 'work.completed',
  WorkReleased: 'work.released',
  WorkFailed: 'work.failed',
  WorkEscalated: 'work.escalated',
  WorkCancelled: 'work.cancelled',
  WorkReassigned: 'work.reassigned',
  WorkUnblocked: 'work.unblocked',
  WorkRetried: 'work.retried',
  WorkDependentAdded: 'work.dependent_added',
  WorkImported: 'work.imported',
  AgentRegistered: 'agent.registered',
  AgentUpdated: 'agent.updated',
  AgentStatus: 'agent.status',
  AgentRetired: 'agent.retired',
  AgentTokenIssued: 'agent.token_issued',
  AgentImported: 'agent.imported',
  TokenIssued: 'token.issued',
  TokenRevoked: 'token.revoked',
  ConfigUpdated: 'config.updated',
  Escalation: 'escalation',
  EscalationResolved: 'escalation.resolved',
  Assignment: 'assignment',
  InvariantRepaired: 'invariant.repaired',
  Message: 'message',
} as const;

/** An audit action / live event type. */
export type Action = (typeof Action)[keyof typeof Action];
