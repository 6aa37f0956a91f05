import { bucketStart, type Granularity, incrementsOf } from '#core/metrics/rollup';
import type { AuditEvent } from '#core/model';
import type { Ports } from '#core/ports';
import { lookupForRound, startSending } from '../realtime/broadcast-events';
import type { RealtimePorts } from '../realtime/deps';
import type { SubscriberCache } from '../realtime/subscriber-cache';
import type { MetricsPorts } from './deps';
import { metricsSummary, queueDepthByTeam } from './metrics-summary';

/** The live `metrics` message goes out at most this often. */
export const METRICS_PUSH_INTERVAL_MS = 5000;

const GRANULARITIES: readonly Granularity[] = ['minute', 'hour'];

/**
 * What one process (a Lambda container) remembers between batches, so that work done once per
 * interval is not checked against the store on every batch.
 */
export interface RollupMemory {
  /** The latest minute this process knows to have its queue depth snapshot. */
  depthMinute?: string;
  /** When this process last sent the live `metrics` message, in epoch milliseconds. */
  lastPushMs?: number;
}

export type RollupDeps = Pick<Ports, 'teams' | 'work' | 'clock'> &
  MetricsPorts &
  Partial<RealtimePorts> & {
    /** This process's subscriber lists. @default none: `all`'s subscribers are read per batch */
    readonly subscribers?: SubscriberCache;
    /** Kept by the caller across batches. @default none: every batch checks the store */
    readonly memory?: RollupMemory;
  };

/** The queue depth snapshot of `minute`, taken once (by whichever process gets there first). */
const takeDepthSnapshot = async (deps: RollupDeps, minute: string): Promise<void> => {
  if (deps.memory?.depthMinute === minute) return;
  if (!(await deps.metrics.hasDepth(minute)))
    await deps.metrics.setDepth(minute, await queueDepthByTeam(deps));
  if (deps.memory) deps.memory.depthMinute = minute;
};

/**
 * The live `metrics` message: only when `all` has subscribers (the summary counts the whole queue,
 * so nobody watching means it is not built), and at most once per interval across processes.
 */
const pushSummary = async (deps: RollupDeps, now: Date): Promise<void> => {
  const { connections, notifier } = deps;
  if (!connections || !notifier) return;
  const lastPushMs = deps.memory?.lastPushMs;
  if (lastPushMs !== undefined && now.getTime() - lastPushMs < METRICS_PUSH_INTERVAL_MS) return;
  const sendingDeps = { connections, notifier, ...(deps.subscribers && { subscribers: deps.subscribers }) };
  const lookup = await lookupForRound(sendingDeps, ['all']);
  if ((await lookup.recipientsOf(['all'])).length === 0) return;
  if (!(await deps.metrics.claimPush(now, METRICS_PUSH_INTERVAL_MS))) return;
  if (deps.memory) deps.memory.lastPushMs = now.getTime();
  const summary = await metricsSummary(deps, { window: '15m' });
  const sending = startSending(sendingDeps, lookup);
  await sending.send({
    message: { type: 'metrics', seq: now.getTime(), at: now.toISOString(), data: summary },
    channels: [{ kind: 'all' }],
  });
  await sending.finish();
};

/**
 * The metrics consumer: audit events from the Events stream grow the per-minute and per-hour
 * rollups; the first batch of a minute takes its queue depth snapshot (each process checks for it
 * once a minute, not per batch); and, when live clients subscribed to `all` can be reached, a
 * `metrics` message (the 15-minute summary) goes to `all` at most once per 5 s.
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
  await takeDepthSnapshot(deps, bucketStart(now, 'minute').toISOString());
  await pushSummary(deps, now);
};
