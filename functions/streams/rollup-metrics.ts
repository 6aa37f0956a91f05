import type { MetricsPorts } from '#app/use-cases/metrics/deps';
import { type RollupMemory, rollupEvents } from '#app/use-cases/metrics/rollup-events';
import { recordQueueDepth } from '../shared/observability';
import { streamConsumer } from '../shared/stream-consumer';
import { config, connectionStore, metricsDeps, notifierFor, subscriberLists } from '../shared/wiring';

/** The rollups store, its once-a-minute queue depth snapshot also emitted as `queue.depth`. */
const withDepthMetric = (store: MetricsPorts['metrics']): MetricsPorts['metrics'] => ({
  add: (granularity, at, increment) => store.add(granularity, at, increment),
  get: (granularity, starts) => store.get(granularity, starts),
  hasDepth: (at) => store.hasDepth(at),
  claimPush: (now, intervalMs) => store.claimPush(now, intervalMs),
  setDepth: async (at, depth) => {
    await store.setDepth(at, depth);
    recordQueueDepth(depth);
  },
});

/** What this container remembers between batches (the minute's depth snapshot, its last push). */
const memory: RollupMemory = {};

/**
 * The metrics consumer: per-minute and per-hour rollups from the Events stream, and the live
 * `metrics` message to `all` (only where a WebSocket API is configured).
 */
export const handler = streamConsumer({
  consumer: 'metricsRollup',
  handle: (events) =>
    rollupEvents(
      {
        ...metricsDeps(),
        metrics: withDepthMetric(metricsDeps().metrics),
        memory,
        ...(config().wsCallbackUrl !== undefined && {
          connections: connectionStore(),
          notifier: notifierFor(),
          subscribers: subscriberLists(),
        }),
      },
      events,
    ),
});
