import { broadcastEvents } from '#app/use-cases/realtime/broadcast-batch';
import { fanOutWebhooks } from '#app/use-cases/webhooks/fan-out';
import { streamConsumer } from '../shared/stream-consumer';
import { config, fanOutDeps, realtimeDeps, subscriberLists } from '../shared/wiring';

/**
 * The broadcaster: audit events from the Events stream to the subscribed WebSocket connections,
 * and the same messages to the webhooks that want them (through the `webhooks` queue).
 */
export const handler = streamConsumer({
  consumer: 'broadcaster',
  handle: async (events) => {
    const [outcome] = await Promise.all([
      broadcastEvents(
        { ...realtimeDeps(), subscribers: subscriberLists(), postConcurrency: config().wsPostConcurrency },
        events,
      ),
      fanOutWebhooks(fanOutDeps(), events),
    ]);
    return outcome;
  },
});
