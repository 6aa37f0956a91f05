import { bucketStart, type Granularity, incrementsOf } from '#core/metrics/rollup';
import type { AuditEvent } from '#core/model';
import type { Ports } from '#core/ports';
import { deliver } from '../realtime/broadcast-events';
import type { RealtimePorts } from '../realtime/deps';
import type { MetricsPorts } from './deps';
import { metricsSummary, queueDepthByTeam } from './metrics-summary';

/** The live `metrics` message goes out at most this often. */
export const METRICS_PUSH_INTERVAL_MS = 5000;

const GRANULARITIES: readonly Granularity[] = ['minute', 'hour'];

export type RollupDeps = Pick<Ports, 'teams' | 'work' | 'clock'> & MetricsPorts & Partial<RealtimePorts>;

/**
 * The metrics consumer: audit events from the Events stream grow the per-minute and per-hour
 * rollups; the first batch of a minute takes its queue depth snapshot; and, when live clients can
 * be reached, a `metrics` message (the 15-minute summary) goes to `all` at most once per 5 s.
 * At-least-once: a retried batch counts its events again (the counters are estimates).
 * @throws UnavailableError when the store or the management API is unavailable (retry the batch).
 */
export const rollupEvents = async (deps: RollupDeps, events: readonly AuditEvent[]): Promise<void> => {
  await Promise.all(
    GRANULARITIES.flatMap((granularity) =>
      [...incrementsOf(events, granularity)].map(([at, counters]) =>
        deps.metrics.add(granularity, at, { counters }),
      ),
    ),
  );
  const now = deps.clock.now();
  const minute = bucketStart(now, 'minute').toISOString();
  if (!(await deps.metrics.hasDepth(minute)))
    await deps.metrics.setDepth(minute, await queueDepthByTeam(deps));
  if (!deps.connections || !deps.notifier) return;
  if (!(await deps.metrics.claimPush(now, METRICS_PUSH_INTERVAL_MS))) return;
  const summary = await metricsSummary(deps, { window: '15m' });
  await deliver(
    { connections: deps.connections, notifier: deps.notifier },
    {
      message: { type: 'metrics', seq: now.getTime(), at: now.toISOString(), data: summary },
      channels: [{ kind: 'all' }],
    },
  );
};
