import type { JsonObject } from '#core/model';
import { type Delivery, secretHint, type Webhook } from '#core/webhooks/webhook';
import type { DeliveryView, WebhookView } from '../../schemas/webhooks';

/** A webhook as an admin sees it: never its secret, only its last four characters. */
export const presentWebhook = (webhook: Webhook): WebhookView => ({
  id: webhook.id,
  url: webhook.url,
  events: [...webhook.events],
  ...(webhook.team !== undefined && { team: webhook.team }),
  status: webhook.status,
  secretHint: secretHint(webhook.secret),
  createdAt: webhook.createdAt,
});

/** A delivery as its list shows it. */
export const presentDelivery = (delivery: Delivery): DeliveryView => ({
  id: delivery.id,
  event: delivery.event,
  at: delivery.at,
  status: delivery.status,
  attempts: delivery.attempts,
  ...(delivery.lastError !== undefined && { lastError: delivery.lastError }),
  ...(delivery.responseStatus !== undefined && { responseStatus: delivery.responseStatus }),
});

/** What the audit log keeps of a webhook (never its secret). */
export const webhookSnapshot = (webhook: Webhook): JsonObject => ({
  url: webhook.url,
  events: [...webhook.events],
  ...(webhook.team !== undefined && { team: webhook.team }),
  status: webhook.status,
});
