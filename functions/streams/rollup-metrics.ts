import { rollupEvents } from '#app/use-cases/metrics/rollup-events';
import { streamConsumer } from '../shared/stream-consumer';
import { config, connectionStore, metricsDeps, notifierFor } from '../shared/wiring';

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
        ...(config().wsCallbackUrl !== undefined && {
          connections: connectionStore(),
          notifier: notifierFor(),
        }),
      },
      events,
    ),
});
