import type { AuditEvent } from '#core/model';
import { type BroadcastDeps, type BroadcastOutcome, broadcastEvent } from './broadcast-events';

/**
 * The broadcaster's batch: events of one entity go out one after another in stream order (so a
 * client sees an entity's `seq` increase); different entities go out side by side.
 * @throws UnavailableError when the store or the management API is unavailable (retry the batch).
 */
export const broadcastEvents = async (
  deps: BroadcastDeps,
  events: readonly AuditEvent[],
): Promise<BroadcastOutcome> => {
  const byEntity = new Map<string, AuditEvent[]>();
  for (const event of events) {
    const key = `${event.entityType}#${event.entityId}`;
    byEntity.set(key, [...(byEntity.get(key) ?? []), event]);
  }
  let sent = 0;
  let gone = 0;
  await Promise.all(
    [...byEntity.values()].map(async (entityEvents) => {
      for (const event of entityEvents) {
        const outcome = await broadcastEvent(deps, event);
        sent += outcome.sent;
        gone += outcome.gone;
      }
    }),
  );
  return { sent, gone };
};
