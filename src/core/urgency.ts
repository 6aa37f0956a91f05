import type { WorkItem } from './model';
import type { UrgencyWeights } from './settings';
import { hoursBetween, minutesBetween } from './time';
import { WorkStatus } from './work/status';

/** What urgency depends on. */
export type UrgencyInput = Pick<WorkItem, 'priority' | 'businessValue' | 'deadline' | 'status' | 'readyAt'>;

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

const roundTo2 = (value: number): number => Math.round(value * 100) / 100;

/** Deadline pressure: 0 without a deadline, rising linearly to `deadlineMax` over the horizon. */
export const deadlinePressure = (
  deadline: string | undefined,
  now: Date,
  weights: UrgencyWeights,
): number => {
  if (deadline === undefined) return 0;
  const hoursLeft = hoursBetween(now, deadline);
  return weights.deadlineMax * clamp(1 - hoursLeft / weights.deadlineHorizonHours, 0, 1);
};

/** Aging: points for the minutes an item has waited since it last became ready; 0 when not ready. */
export const agingPoints = (
  item: Pick<WorkItem, 'status' | 'readyAt'>,
  now: Date,
  weights: UrgencyWeights,
): number => {
  if (item.status !== WorkStatus.Ready || item.readyAt === undefined) return 0;
  const waited = Math.max(0, minutesBetween(item.readyAt, now));
  return Math.min(weights.agingMax, waited / weights.agingMinutesPerPoint);
};

/**
 * `urgency = P + V + D + A` (API.md "Urgency"), rounded to two decimals: priority weight,
 * business value, deadline pressure and aging.
 */
export const urgencyOf = (item: UrgencyInput, now: Date, weights: UrgencyWeights): number =>
  roundTo2(
    weights.priority[item.priority] +
      item.businessValue +
      deadlinePressure(item.deadline, now, weights) +
      agingPoints(item, now, weights),
  );

/** What the claim order compares. */
export type Rankable = Pick<WorkItem, 'urgency' | 'createdAt' | 'id'>;

/** Claim order: most urgent first, then the older item, then by id so the order is total. */
export const compareByUrgency = (a: Rankable, b: Rankable): number => {
  if (a.urgency !== b.urgency) return b.urgency - a.urgency;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
};

/** The items with their urgency recomputed at `now`, in claim order. */
export const rankByCurrentUrgency = <T extends WorkItem>(
  items: readonly T[],
  now: Date,
  weights: UrgencyWeights,
): T[] => items.map((item) => ({ ...item, urgency: urgencyOf(item, now, weights) })).sort(compareByUrgency);
