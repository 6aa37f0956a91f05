/**
 * Load profiles of the capacity model: who uses the service and how hard. Rates are steady-state
 * averages; the model reports per-second load on each partition at that average.
 */

/** One load profile. */
export interface LoadProfile {
  readonly name: string;
  readonly summary: string;
  readonly agents: number;
  readonly teams: number;
  /**
   * How much busier the busiest team is than the average team (1 = all teams alike). Its share
   * of agents and of claim cycles is `min(1, teamSkew / teams)`.
   */
  readonly teamSkew: number;
  readonly heartbeatIntervalSec: number;
  /** Claim cycles (claim, progress reports, complete) finished per second, all teams together. */
  readonly claimCyclesPerSec: number;
  readonly progressReportsPerCycle: number;
  /** Ready items waiting; work is created at the claim rate, so the backlog stays level. */
  readonly backlog: number;
  /** Dashboards open, each subscribed to the `all` channel. */
  readonly dashboardViewers: number;
  readonly sweepIntervalSec: number;
  /** Distinct principals creating work (each creation event lands in its creator's actor partition). */
  readonly producers: number;
  /** Bytes of title, description and metadata per work item. */
  readonly itemTextBytes: number;
  /** Whether clients send `Idempotency-Key` on claim and complete (the `coord` CLI does). */
  readonly idempotencyKeys: boolean;
}

/** The profiles `npm run capacity` prints and the capacity test checks. */
export const PROFILES: readonly LoadProfile[] = [
  {
    name: 'laptop',
    summary: '10 agents in one team, a cycle every 20 s each',
    agents: 10,
    teams: 1,
    teamSkew: 1,
    heartbeatIntervalSec: 30,
    claimCyclesPerSec: 0.5,
    progressReportsPerCycle: 2,
    backlog: 100,
    dashboardViewers: 1,
    sweepIntervalSec: 60,
    producers: 1,
    itemTextBytes: 400,
    idempotencyKeys: true,
  },
  {
    name: 'team',
    summary: '200 agents in one team, a cycle every 10 s each',
    agents: 200,
    teams: 1,
    teamSkew: 1,
    heartbeatIntervalSec: 30,
    claimCyclesPerSec: 20,
    progressReportsPerCycle: 4,
    backlog: 10_000,
    dashboardViewers: 5,
    sweepIntervalSec: 60,
    producers: 5,
    itemTextBytes: 400,
    idempotencyKeys: true,
  },
  {
    name: 'fleet',
    summary: '10,000 agents in 100 teams (busiest 3x average), 1,000 cycles/s, 1M backlog',
    agents: 10_000,
    teams: 100,
    teamSkew: 3,
    heartbeatIntervalSec: 30,
    claimCyclesPerSec: 1000,
    progressReportsPerCycle: 4,
    backlog: 1_000_000,
    dashboardViewers: 50,
    sweepIntervalSec: 60,
    producers: 100,
    itemTextBytes: 400,
    idempotencyKeys: true,
  },
  {
    name: 'one-big-team',
    summary: '10,000 agents in one team, 1,000 cycles/s, 1M backlog',
    agents: 10_000,
    teams: 1,
    teamSkew: 1,
    heartbeatIntervalSec: 30,
    claimCyclesPerSec: 1000,
    progressReportsPerCycle: 4,
    backlog: 1_000_000,
    dashboardViewers: 50,
    sweepIntervalSec: 60,
    producers: 10,
    itemTextBytes: 400,
    idempotencyKeys: true,
  },
];

/** The profile named `name`. */
export const profileNamed = (name: string): LoadProfile => {
  const profile = PROFILES.find((candidate) => candidate.name === name);
  if (!profile)
    throw new Error(`Unknown profile "${name}": use one of ${PROFILES.map((p) => p.name).join(', ')}`);
  return profile;
};
