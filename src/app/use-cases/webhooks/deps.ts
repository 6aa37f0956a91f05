import type { Ports } from '#core/ports';
import type { WebhookPorts } from '#core/webhooks/ports';

/** How webhooks behave in this deployment (from config). */
export interface WebhookPolicy {
  /** Whether a webhook may use `http://localhost` (the local stage only). */
  readonly allowLocalHttp: boolean;
  /** Consecutive failed deliveries that pause a webhook (`COORD_WEBHOOK_PAUSE_AFTER`). */
  readonly pauseAfter: number;
  /** Attempts of one delivery before it fails for good (the queue's `maxReceiveCount`). */
  readonly maxAttempts: number;
  /** The backoff of attempt n is `2^n * retryBaseSeconds`, at most `retryCapSeconds`. */
  readonly retryBaseSeconds: number;
  readonly retryCapSeconds: number;
}

/** What the webhook use cases use. */
export type WebhookDeps = Pick<Ports, 'clock' | 'ids' | 'uow'> &
  WebhookPorts & { readonly webhookPolicy: WebhookPolicy };
