/** What the outside world provides for webhooks: their store, the queue and the sender. */
import type { Page, PageRequest } from '../ports';
import type { Delivery, Webhook } from './webhook';

/** Reads of webhooks (writes go through the unit of work, with their audit events). */
export interface WebhookRepository {
  get(id: string): Promise<Webhook | undefined>;
  /** Webhooks oldest first, a page at a time. */
  list(page: PageRequest): Promise<Page<Webhook>>;
  /** Every active webhook (a fan-out keeps them for a few seconds). */
  active(): Promise<Webhook[]>;
}

/** Delivery records: many per webhook, written by the fan-out and the sender, never audited. */
export interface DeliveryStore {
  get(webhookId: string, id: string): Promise<Delivery | undefined>;
  /** Stores a new delivery; `false` when one with its id exists already (a repeated fan-out). */
  create(delivery: Delivery): Promise<boolean>;
  /** Replaces a delivery. */
  put(delivery: Delivery): Promise<void>;
  /** A webhook's deliveries, newest first. */
  list(webhookId: string, page: PageRequest): Promise<Page<Delivery>>;
}

/** A delivery on its way: the message on the `webhooks` queue. */
export interface DeliveryRequest {
  readonly deliveryId: string;
  readonly webhookId: string;
  readonly event: string;
  /** The live message as the WebSocket sends it. */
  readonly payload: Readonly<Record<string, unknown>>;
}

/** The `webhooks` queue. */
export interface DeliveryQueue {
  /** @throws UnavailableError when the queue does not take them. */
  enqueue(requests: readonly DeliveryRequest[]): Promise<void>;
  /** Hides a received message for `seconds` (its next attempt), by the receipt of that receive. */
  delay(receiptHandle: string, seconds: number): Promise<void>;
}

/** One signed POST of a delivery. */
export interface OutgoingDelivery {
  readonly url: string;
  readonly secret: string;
  readonly deliveryId: string;
  readonly event: string;
  /** The exact JSON body sent (and signed). */
  readonly body: string;
}

/** Sends deliveries over HTTP; never throws for what the receiver or the network did. */
export interface WebhookSender {
  send(delivery: OutgoingDelivery): Promise<{ ok: boolean; responseStatus?: number; error?: string }>;
}

/** Every webhook port. */
export interface WebhookPorts {
  readonly webhooks: WebhookRepository;
  readonly deliveries: DeliveryStore;
  readonly deliveryQueue: DeliveryQueue;
  readonly webhookSender: WebhookSender;
}
