/**
 * The scheduled functions: which handler module runs on which schedule. Like `routes.ts` and
 * `consumers.ts` it is pure data: CDK gives each an EventBridge rule, and the local runtime a
 * timer (whose interval `local/` may shorten, e.g. `COORD_SWEEP_INTERVAL_MS`).
 */

/** One scheduled function. */
export interface ScheduleDefinition {
  /** Stable id: the function's logical name. */
  readonly id: string;
  /** Handler module, relative to the project root; it exports `handler`. */
  readonly entry: string;
  /** How often it runs on AWS, in minutes (EventBridge rates go down to one minute). */
  readonly rateMinutes: number;
}

/** The sweeper: expired leases, reviews, offline agents, repairs (see `src/app/use-cases/sweep.ts`). */
export const sweeperSchedule: ScheduleDefinition = {
  id: 'sweeper',
  entry: 'functions/scheduled/sweep.ts',
  rateMinutes: 1,
};

/** Every scheduled function. */
export const SCHEDULES: readonly ScheduleDefinition[] = [sweeperSchedule];
