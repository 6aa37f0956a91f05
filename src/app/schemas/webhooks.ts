/**
 * Webhooks on the wire: the create body, the views (never the secret: `secretHint` shows its last
 * four characters), the delivery list, and the message on the `webhooks` queue.
 */
import type { Static } from '@sinclair/typebox';
import { Type } from '#app/schemas/type';
import { ALL_EVENTS, DELIVERY_STATUSES, WEBHOOK_EVENT_TYPES, WEBHOOK_STATUSES } from '#core/webhooks/webhook';
import { Closed, JsonObject, literalUnion, PageQuery, TeamName, Text, Timestamp } from './common';
import { PageOf } from './views';

/** Most event types one webhook names. */
const MAX_EVENT_TYPES = 50;

/** `POST /v1/webhooks`. */
export const CreateWebhookBody = Closed({
  url: Type.String({
    minLength: 8,
    maxLength: 2048,
    format: 'uri',
    description: 'https; http only to localhost, and only on the local stage',
  }),
  events: Type.Array(literalUnion([...WEBHOOK_EVENT_TYPES, ALL_EVENTS]), {
    minItems: 1,
    maxItems: MAX_EVENT_TYPES,
    uniqueItems: true,
    description: 'Live event types (as on the WebSocket), or "*" for all',
  }),
  team: Type.Optional(TeamName),
  secret: Text({
    minLength: 16,
    maxLength: 256,
    description: 'Signs every delivery (x-coord-signature); never returned',
  }),
});
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

/** A webhook (its secret never leaves the service). */
export const WebhookView = Closed({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  team: Type.Optional(Type.String()),
  status: literalUnion(WEBHOOK_STATUSES),
  secretHint: Type.String({ description: 'The last four characters of the secret' }),
  createdAt: Timestamp,
});
export type WebhookView = Static<typeof WebhookView>;

/** `GET /v1/webhooks`. */
export const WebhooksQuery = Closed({ ...PageQuery });
export type WebhooksQuery = Static<typeof WebhooksQuery>;

/** A page of webhooks, oldest first. */
export const WebhookPage = PageOf(WebhookView);
export type WebhookPage = Static<typeof WebhookPage>;

/** One delivery of a webhook. */
export const DeliveryView = Closed({
  id: Type.String(),
  event: Type.String(),
  at: Timestamp,
  status: literalUnion(DELIVERY_STATUSES),
  attempts: Type.Integer({ minimum: 0 }),
  lastError: Type.Optional(Type.String()),
  responseStatus: Type.Optional(Type.Integer()),
});
export type DeliveryView = Static<typeof DeliveryView>;

/** A page of deliveries, newest first. */
export const DeliveryPage = PageOf(DeliveryView);
export type DeliveryPage = Static<typeof DeliveryPage>;

/** A message on the `webhooks` queue (the consumer checks every body against it). */
export const DeliveryMessage = Closed({
  deliveryId: Type.String({ minLength: 1, maxLength: 200 }),
  webhookId: Type.String({ minLength: 1, maxLength: 128 }),
  event: Type.String({ minLength: 1, maxLength: 64 }),
  payload: JsonObject,
});
export type DeliveryMessage = Static<typeof DeliveryMessage>;
