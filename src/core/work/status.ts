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

/** Statuses in which an agent holds the item (it carries a claim). */
export const HELD_STATUSES: readonly WorkStatus[] = [WorkStatus.Claimed, WorkStatus.InProgress];

/** Whether an item in `status` is held by an agent. */
export const isHeld = (status: WorkStatus): boolean => HELD_STATUSES.includes(status);

/** Statuses whose items are still to be done (the forecast's backlog). */
export const OPEN_STATUSES: readonly WorkStatus[] = [
  WorkStatus.Blocked,
  WorkStatus.Ready,
  WorkStatus.Claimed,
  WorkStatus.InProgress,
];
