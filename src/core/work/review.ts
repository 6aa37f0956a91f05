import type { WorkItem } from '../model';
import type { UrgencyWeights } from '../settings';
import { addSeconds, epochMs, isBefore } from '../time';
import { WorkStatus } from './status';

/**
 * How far (in urgency points) the urgency stored with an item, which orders the ready index, may
 * fall behind its current urgency before the sweeper rewrites it. Claim-next re-ranks the top
 * candidates by current urgency anyway; this bounds how stale the index order itself gets.
 */
export const REVIEW_STEP_POINTS = 5;

const SECONDS_PER_MINUTE = 60;
const SECONDS_PER_HOUR = 3600;

/** What the review time depends on. */
export type ReviewInput = Pick<WorkItem, 'status' | 'deadline' | 'deadlineEscalatedAt' | 'readyAt'>;

const earliest = (times: readonly string[]): string | undefined =>
  times.length === 0 ? undefined : times.reduce((a, b) => (epochMs(b) < epochMs(a) ? b : a));

/** When deadline pressure on a ready item next grows by a step, while it still grows. */
const nextDeadlineStep = (deadline: string, now: Date, weights: UrgencyWeights): string | undefined => {
  if (!isBefore(now, deadline) || weights.deadlineMax <= 0) return undefined;
  const pressureStarts = addSeconds(deadline, -weights.deadlineHorizonHours * SECONDS_PER_HOUR);
  if (isBefore(now, pressureStarts)) return pressureStarts;
  const step = (weights.deadlineHorizonHours * SECONDS_PER_HOUR * REVIEW_STEP_POINTS) / weights.deadlineMax;
  return addSeconds(now, step);
};

/** When aging of a ready item next grows by a step, while it still grows. */
const nextAgingStep = (readyAt: string, now: Date, weights: UrgencyWeights): string | undefined => {
  if (weights.agingMax <= 0) return undefined;
  const agedOut = addSeconds(readyAt, weights.agingMax * weights.agingMinutesPerPoint * SECONDS_PER_MINUTE);
  if (!isBefore(now, agedOut)) return undefined;
  return earliest([
    agedOut,
    addSeconds(now, REVIEW_STEP_POINTS * weights.agingMinutesPerPoint * SECONDS_PER_MINUTE),
  ]);
};

/**
 * When the sweeper should look at an item written at `now` next: at its deadline while no
 * `deadline` escalation was asked for (at once when the deadline is already past), and for a
 * ready item whenever aging or deadline pressure will have added {@link REVIEW_STEP_POINTS}.
 * `undefined` for items that are neither ready nor blocked, or whose urgency no longer changes.
 */
export const reviewAtOf = (item: ReviewInput, now: Date, weights: UrgencyWeights): string | undefined => {
  if (item.status !== WorkStatus.Ready && item.status !== WorkStatus.Blocked) return undefined;
  const times: string[] = [];
  if (item.deadline !== undefined && item.deadlineEscalatedAt === undefined) times.push(item.deadline);
  if (item.status === WorkStatus.Ready) {
    const deadlineStep =
      item.deadline === undefined ? undefined : nextDeadlineStep(item.deadline, now, weights);
    const agingStep = item.readyAt === undefined ? undefined : nextAgingStep(item.readyAt, now, weights);
    for (const time of [deadlineStep, agingStep]) if (time !== undefined) times.push(time);
  }
  return earliest(times);
};
