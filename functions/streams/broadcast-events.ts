import { broadcastEvents } from '#app/use-cases/realtime/broadcast-batch';
import { streamConsumer } from '../shared/stream-consumer';
import { config, realtimeDeps } from '../shared/wiring';

/** The broadcaster: audit events from the Events stream to the subscribed WebSocket connections. */
export const handler = streamConsumer({
  consumer: 'broadcaster',
  handle: (events) =>
    broadcastEvents({ ...realtimeDeps(), postConcurrency: config().wsPostConcurrency }, events),
});
