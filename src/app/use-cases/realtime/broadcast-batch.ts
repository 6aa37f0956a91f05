import type { AuditEvent } from '#core/model';
import { channelNames } from '#core/realtime/messages';
import {
  type BroadcastDeps,
  type BroadcastOutcome,
  deliveriesOf,
  lookupForRound,
  startSending,
} from './broadcast-events';

/**
 * The broadcaster's batch, as one round of sending:
 * 1. every event becomes its messages (assignments read their items side by side);
 * 2. each distinct channel's subscribers are read once for the whole batch (with the process's
 *    subscriber cache: one read of the batch's channel versions, and only the lists that changed);
 * 3. the messages are queued in stream order and posted by a bounded pool of workers that keeps
 *    each connection's messages in that order (so a client sees an entity's `seq` increase).
 * @throws UnavailableError when the store or the management API is unavailable (retry the batch).
 */
export const broadcastEvents = async (
  deps: BroadcastDeps,
  events: readonly AuditEvent[],
): Promise<BroadcastOutcome> => {
  const deliveries = (await Promise.all(events.map((event) => deliveriesOf(deps, event)))).flat();
  const channels = deliveries.flatMap((delivery) => channelNames(delivery.channels));
  const sending = startSending(deps, await lookupForRound(deps, channels));
  const queued = deliveries.map((delivery) => sending.send(delivery));
  await Promise.all(queued);
  return sending.finish();
};
