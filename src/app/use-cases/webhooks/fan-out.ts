import { type AuditEvent, EntityType } from '#core/model';
import type { Ports } from '#core/ports';
import type { DeliveryRequest } from '#core/webhooks/ports';
import { DeliveryStatus, type Webhook, wantsEvent } from '#core/webhooks/webhook';
import { observerDelivery } from '../../live-messages';
import { presentWork } from '../../presenters';
import { currentSettings, type SettingsDeps } from '../../settings';
import type { ActiveWebhooks } from './active-webhooks';
import type { WebhookDeps } from './deps';

/** What a fan-out uses. */
export type FanOutDeps = Pick<WebhookDeps, 'clock' | 'deliveries' | 'deliveryQueue'> &
  Pick<Ports, 'work'> &
  SettingsDeps & { readonly activeWebhooks: ActiveWebhooks };

/** The id of the delivery of one event to one webhook: the same however often the batch is read. */
export const deliveryIdOf = (event: AuditEvent, webhook: Webhook): string => `${event.id}~${webhook.id}`;

/**
 * The stream batch's events to the webhooks that want them (the broadcaster's own messages, same
 * types and data as on the WebSocket): one pending delivery record and one `webhooks` queue message
 * per (webhook, event). A work event's payload also carries the item as `GET /v1/work/{id}` shows it
 * (with its `metadata`). A batch read again makes no second record; its messages are sent again
 * (at least once: the sender skips deliveries already done, receivers de-duplicate by id).
 * Returns how many deliveries were queued.
 * @throws UnavailableError when the store or the queue does not answer (the batch is retried).
 */
export const fanOutWebhooks = async (deps: FanOutDeps, events: readonly AuditEvent[]): Promise<number> => {
  const webhooks = await deps.activeWebhooks.read();
  if (webhooks.length === 0) return 0;
  const matched = events.flatMap((event) => {
    const message = observerDelivery(event)?.message;
    if (!message) return [];
    const receivers = webhooks.filter((webhook) => wantsEvent(webhook, message.type, event.team));
    return receivers.length === 0 ? [] : [{ event, message, receivers }];
  });
  if (matched.length === 0) return 0;
  const workIds = matched.filter((m) => m.event.entityType === EntityType.Work).map((m) => m.event.entityId);
  const [items, settings] =
    workIds.length === 0
      ? [[], undefined]
      : await Promise.all([deps.work.getMany([...new Set(workIds)]), currentSettings(deps)]);
  const itemById = new Map(items.map((item) => [item.id, item]));
  const now = deps.clock.now();
  const requests: DeliveryRequest[] = matched.flatMap(({ event, message, receivers }) => {
    const item = event.entityType === EntityType.Work ? itemById.get(event.entityId) : undefined;
    const payload = { ...message, ...(item && settings && { work: presentWork(item, now, settings) }) };
    return receivers.map((webhook) => ({
      deliveryId: deliveryIdOf(event, webhook),
      webhookId: webhook.id,
      event: message.type,
      payload,
    }));
  });
  await Promise.all(
    requests.map((request) =>
      deps.deliveries.create({
        id: request.deliveryId,
        webhookId: request.webhookId,
        event: request.event,
        at: String(request.payload.at),
        status: DeliveryStatus.Pending,
        attempts: 0,
        updatedAt: now.toISOString(),
      }),
    ),
  );
  await deps.deliveryQueue.enqueue(requests);
  return requests.length;
};
