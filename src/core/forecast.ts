import type { WorkItem } from './model';
import type { UrgencyWeights } from './settings';
import { addSeconds, isBefore, minutesBetween } from './time';
import { compareByUrgency, urgencyOf } from './urgency';
import { isHeld, WorkStatus } from './work/status';

/** The estimate assumed for an item that has none. */
export const DEFAULT_ESTIMATE_MINUTES = 30;

/** An item likely to miss its deadline. */
export interface AtRisk {
  readonly workId: string;
  readonly deadline: string;
  readonly reason: string;
}

/** When a team's open work should be done, and which deadlines are in danger. */
export interface Forecast {
  /** Minutes until the open backlog is done at current capacity; `null` when no agent can work. */
  readonly etaMinutes: number | null;
  readonly atRisk: readonly AtRisk[];
}

/** What the forecast looks at. */
export interface ForecastInput {
  /** Open items (blocked, ready, claimed, in progress) that were read. */
  readonly items: readonly WorkItem[];
  /** Open items counted but not read (beyond the read bound); each assumed to take the default estimate. */
  readonly unreadItems: number;
  /** Items that can be worked on at once: capacity summed over the team's agents in service. */
  readonly slots: number;
  readonly now: Date;
  readonly weights: UrgencyWeights;
}

const remainingMinutes = (item: WorkItem): number => {
  const estimate = item.estimateMinutes ?? DEFAULT_ESTIMATE_MINUTES;
  return isHeld(item.status) ? estimate * (1 - item.progress / 100) : estimate;
};

/** Held items first (they are being worked on), then ready by current urgency, blocked ones last. */
const workOrder = (a: WorkItem, b: WorkItem): number => {
  const rank = (item: WorkItem) => (isHeld(item.status) ? 0 : item.status === WorkStatus.Ready ? 1 : 2);
  return rank(a) - rank(b) || compareByUrgency(a, b);
};

/**
 * A list-scheduling forecast: items go, in claim order, to whichever of `slots` parallel workers
 * frees first; an item is at risk when its projected finish falls after its deadline (or the
 * deadline has passed already). Without any slot nothing will finish: every deadline is at risk.
 */
export const forecastTeam = ({ items, unreadItems, slots, now, weights }: ForecastInput): Forecast => {
  const ordered = items.map((item) => ({ ...item, urgency: urgencyOf(item, now, weights) })).sort(workOrder);
  if (slots <= 0) {
    const atRisk = ordered.flatMap((item) =>
      item.deadline === undefined
        ? []
        : [{ workId: item.id, deadline: item.deadline, reason: 'no agent in service' }],
    );
    return { etaMinutes: ordered.length + unreadItems === 0 ? 0 : null, atRisk };
  }
  const freeAt = new Array<number>(slots).fill(0);
  const atRisk: AtRisk[] = [];
  for (const item of ordered) {
    const slot = freeAt.indexOf(Math.min(...freeAt));
    const finish = (freeAt[slot] ?? 0) + remainingMinutes(item);
    freeAt[slot] = finish;
    if (item.deadline === undefined) continue;
    if (isBefore(item.deadline, now)) {
      atRisk.push({ workId: item.id, deadline: item.deadline, reason: 'deadline passed' });
    } else if (finish > minutesBetween(now, item.deadline)) {
      const projected = addSeconds(now, finish * 60);
      atRisk.push({
        workId: item.id,
        deadline: item.deadline,
        reason: `projected to finish at ${projected}`,
      });
    }
  }
  const makespan = Math.max(...freeAt) + (unreadItems * DEFAULT_ESTIMATE_MINUTES) / slots;
  return { etaMinutes: Math.ceil(makespan), atRisk };
};
