/**
 * Outgoing webhooks: a receiver's URL, the live event types it wants, and the record of each
 * delivery. Deliveries are at least once: a receiver de-duplicates by the delivery id.
 */
import { SERVER_MESSAGE_TYPES } from '../realtime/messages';

/** Whether a webhook is sent events; the only place these literals are spelled. */
export const WebhookStatus = { Active: 'active', Paused: 'paused' } as const;

/** A webhook status. */
export type WebhookStatus = (typeof WebhookStatus)[keyof typeof WebhookStatus];

/** All webhook statuses. */
export const WEBHOOK_STATUSES: readonly WebhookStatus[] = Object.values(WebhookStatus);

/** Where a delivery stands; the only place these literals are spelled. */
export const DeliveryStatus = { Pending: 'pending', Delivered: 'delivered', Failed: 'failed' } as const;

/** A delivery status. */
export type DeliveryStatus = (typeof DeliveryStatus)[keyof typeof DeliveryStatus];

/** All delivery statuses. */
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = Object.values(DeliveryStatus);

/** The event filter that takes every event type. */
export const ALL_EVENTS = '*';

/**
 * Live event types a webhook may ask for: what the WebSocket sends observers, plus `message`.
 * `assignment` (one agent's own claim, with its token) and `metrics` never leave the service.
 */
export const WEBHOOK_EVENT_TYPES: readonly string[] = [
  ...new Set<string>([
    ...SERVER_MESSAGE_TYPES.filter((type) => type !== 'assignment' && type !== 'metrics'),
    'message',
  ]),
];

/** A registered receiver of events. Its secret signs deliveries and is never shown again. */
export interface Webhook {
  readonly id: string;
  readonly url: string;
  /** Event types, or `["*"]` for all. */
  readonly events: readonly string[];
  /** Only events of this team (events of no team are not sent). @default every team */
  readonly team?: string;
  readonly secret: string;
  readonly status: WebhookStatus;
  readonly createdAt: string;
  /** Deliveries that failed for good in a row since the last delivered one. */
  readonly consecutiveFailures: number;
  /** How often it was paused (numbers its `webhook_paused` escalations). */
  readonly pauses: number;
  /** Increases by one on every write; writes are conditional on it. */
  readonly version: number;
}

/** One event sent (or being sent) to one webhook. */
export interface Delivery {
  readonly id: string;
  readonly webhookId: string;
  readonly event: string;
  /** When the event happened. */
  readonly at: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly lastError?: string;
  readonly responseStatus?: number;
  readonly updatedAt: string;
}

/** The last four characters of a secret, the most a reply shows of it. */
export const secretHint = (secret: string): string => secret.slice(-4);

/** Whether `webhook` takes an event of `type` about `team` now. */
export const wantsEvent = (webhook: Webhook, type: string, team: string | undefined): boolean =>
  webhook.status === WebhookStatus.Active &&
  (webhook.events.includes(ALL_EVENTS) || webhook.events.includes(type)) &&
  (webhook.team === undefined || webhook.team === team);

/** Backoff of the `attempt`-th failed attempt (1-based): `2^attempt * baseSeconds`, at most `capSeconds`. */
export const retryDelaySeconds = (attempt: number, baseSeconds: number, capSeconds: number): number =>
  Math.min(capSeconds, 2 ** Math.min(attempt, 30) * baseSeconds);

/** What one attempt to send a delivery came to. */
export interface AttemptOutcome {
  readonly ok: boolean;
  readonly responseStatus?: number;
  /** Why it failed (a status line, a timeout, a refused address); never the response body. */
  readonly error?: string;
}

/** The delivery after one more attempt; `final` when no attempt follows (delivered, or out of attempts). */
export const afterAttempt = (
  delivery: Delivery,
  outcome: AttemptOutcome,
  maxAttempts: number,
  now: string,
): { readonly delivery: Delivery; readonly final: boolean } => {
  const attempts = delivery.attempts + 1;
  const { lastError: _error, responseStatus: _status, ...rest } = delivery;
  const base = {
    ...rest,
    attempts,
    updatedAt: now,
    ...(outcome.responseStatus !== undefined && { responseStatus: outcome.responseStatus }),
  };
  if (outcome.ok) return { delivery: { ...base, status: DeliveryStatus.Delivered }, final: true };
  const final = attempts >= maxAttempts;
  return {
    delivery: {
      ...base,
      status: final ? DeliveryStatus.Failed : DeliveryStatus.Pending,
      lastError: outcome.error ?? 'failed',
    },
    final,
  };
};

/**
 * The webhook after a delivery ended: a delivered one clears its failure count; a failed one
 * adds to it, and at `pauseAfter` in a row the webhook is paused (`paused` says it happened now).
 * `undefined` when nothing changes.
 */
export const afterDeliveryEnded = (
  webhook: Webhook,
  delivered: boolean,
  pauseAfter: number,
): { readonly webhook: Webhook; readonly paused: boolean } | undefined => {
  if (delivered) {
    return webhook.consecutiveFailures === 0
      ? undefined
      : { webhook: { ...webhook, consecutiveFailures: 0, version: webhook.version + 1 }, paused: false };
  }
  const consecutiveFailures = webhook.consecutiveFailures + 1;
  const paused = webhook.status === WebhookStatus.Active && consecutiveFailures >= pauseAfter;
  return {
    webhook: {
      ...webhook,
      consecutiveFailures,
      ...(paused && { status: WebhookStatus.Paused, pauses: webhook.pauses + 1 }),
      version: webhook.version + 1,
    },
    paused,
  };
};
