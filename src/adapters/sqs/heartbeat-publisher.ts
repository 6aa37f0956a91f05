import type { Heartbeat, HeartbeatPublisher } from '#core/agents/heartbeat';
import type { QueuePublisher } from './queue-publisher';

/**
 * Heartbeats onto the `heartbeats` queue, one message each: the consumer coalesces them per
 * agent, so batching here would only delay them.
 */
export const createHeartbeatPublisher = (queue: QueuePublisher<Heartbeat>): HeartbeatPublisher => ({
  publish: (heartbeat) => queue.send(heartbeat),
});
