import {
  addHistograms,
  COUNTERS,
  type MetricsWindow,
  percentile,
  type Rollup,
  WINDOWS,
  windowBuckets,
  zeroCounters,
} from '#core/metrics/rollup';
import type { Ports } from '#core/ports';
import { WORK_STATUSES } from '#core/work/status';
import type { MetricsSummaryView } from '../../schemas/metrics';
import type { MetricsPorts } from './deps';

/** The window a summary covers when the caller names none. */
export const DEFAULT_WINDOW: MetricsWindow = '1h';

/** Team pages (200 names each) the queue depth reads at most. */
const MAX_TEAM_PAGES = 5;

/** Every team name, page after page (bounded by {@link MAX_TEAM_PAGES}). */
const teamNames = async (deps: Pick<Ports, 'teams'>): Promise<string[]> => {
  const names: string[] = [];
  let cursor: string | undefined;
  for (let read = 0; read < MAX_TEAM_PAGES; read += 1) {
    const page = await deps.teams.list({ limit: 200, ...(cursor === undefined ? {} : { cursor }) });
    names.push(...page.items);
    cursor = page.nextCursor;
    if (cursor === undefined) break;
  }
  return names;
};

/**
 * Work items now, by team and status, for the known teams (at most {@link MAX_TEAM_PAGES} pages):
 * one keys-only read of each status partition, whatever the number of teams (never a scan, never
 * a query per team and status).
 */
export const queueDepthByTeam = async (
  deps: Pick<Ports, 'teams' | 'work'>,
): Promise<Record<string, Record<string, number>>> => {
  const [teams, counts] = await Promise.all([teamNames(deps), deps.work.countAllByStatus()]);
  const none = Object.fromEntries(WORK_STATUSES.map((status) => [status, 0]));
  return Object.fromEntries(teams.map((team) => [team, { ...none, ...counts[team] }]));
};

/**
 * `GET /v1/metrics/summary`: throughput, claim latency percentiles, conflicts and a series per
 * minute (15m, 1h) or hour (24h, 7d) from the rollups, and the queue depth now.
 * 1. read the window's rollups by key; 2. count the queue now; 3. sum and fill empty buckets.
 */
export const metricsSummary = async (
  deps: Pick<Ports, 'teams' | 'work' | 'clock'> & MetricsPorts,
  query: { readonly window?: MetricsWindow },
): Promise<MetricsSummaryView> => {
  const window = query.window ?? DEFAULT_WINDOW;
  const { granularity } = WINDOWS[window];
  const now = deps.clock.now();
  const starts = windowBuckets(now, window).map((start) => start.toISOString());
  const [rollups, byTeam] = await Promise.all([
    deps.metrics.get(granularity, starts),
    queueDepthByTeam(deps),
  ]);
  const byStart = new Map(rollups.map((rollup) => [rollup.at, rollup]));
  const filled: Rollup[] = starts.map(
    (at) => byStart.get(at) ?? { at, counters: zeroCounters(), latency: addHistograms([]) },
  );
  const totals = zeroCounters();
  for (const rollup of filled) for (const name of COUNTERS) totals[name] += rollup.counters[name];
  const latency = addHistograms(filled.map((rollup) => rollup.latency));
  const queueDepth: Record<string, number> = Object.fromEntries(WORK_STATUSES.map((status) => [status, 0]));
  for (const counts of Object.values(byTeam)) {
    for (const [status, count] of Object.entries(counts))
      queueDepth[status] = (queueDepth[status] ?? 0) + count;
  }
  return {
    window,
    from: starts[0] ?? now.toISOString(),
    to: now.toISOString(),
    throughput: { claims: totals.claims, completions: totals.completions, failures: totals.failures },
    latencyMs: { p50: percentile(latency, 50), p95: percentile(latency, 95), p99: percentile(latency, 99) },
    conflicts: totals.conflicts,
    leaseExpiries: totals.leaseExpiries,
    escalations: totals.escalations,
    queueDepth,
    queueDepthByTeam: byTeam,
    series: filled.map((rollup) => ({
      at: rollup.at,
      claims: rollup.counters.claims,
      completions: rollup.counters.completions,
      failures: rollup.counters.failures,
      conflicts: rollup.counters.conflicts,
      p50: percentile(rollup.latency, 50),
    })),
  };
};
