/** Every state a work item can be in; the only place these literals are spelled. */
export const WorkStatus = {
  Blocked: 'blocked',
  Ready: 'ready',
  Claimed: 'claimed',
  InProgress: 'in_progress',
  Completed: 'completed',
  Failed: 'failed',
  Escalated: 'escalated',
  Cancelled: 'cancelled',
} as const;

/** A work item's lifecycle state. */
export type WorkStatus = (typeof WorkStatus)[keyof typeof WorkStatus];

/** All work statuses, in lifecycle order. */
export const WORK_STATUSES: readonly WorkStatus[] = Object.values(WorkStatus);

/** Priorities a work item may carry, most urgent first. */
export const Priority = { Critical: 'critical', High: 'high', Medium: 'medium', Low: 'low' } as const;

/** A work item's priority. */
export type Priority = (typeof Priority)[keyof typeof Priority];

/** All priorities, most urgent first. */
export const PRIORITIES: readonly Priority[] = Object.values(Priority);
