import { SYSTEM_TEAM } from '#core/ai/alerts';
import type { ChangeContext } from '#core/audit';
import { openingOf } from '#core/escalations/decisions';
import { EscalationKind, EscalationStatus, escalationId } from '#core/escalations/escalation';
import { Action } from '#core/events';
import type { Change } from '#core/ports';
import type { DeliveryRequest } from '#core/webhooks/ports';
import {
  afterAttempt,
  afterDeliveryEnded,
  type Delivery,
  DeliveryStatus,
  retryDelaySeconds,
  type Webhook,
  WebhookStatus,
} from '#core/webhooks/webhook';
import { systemContext } from '../shared/escalations';
import { decideAndCommit, refreshed } from '../shared/optimistic';
import { webhookEvent } from './change-webhook';
import type { WebhookDeps } from './deps';

/**
 * A delivery attempt failed: its queue message must fail too, so it comes back after its backoff
 * (or, after the last attempt, goes on to the dead-letter queue).
 */
export class DeliveryRetryError extends Error {
  constructor(
    readonly deliveryId: string,
    readonly attempts: number,
    readonly isLast: boolean,
  ) {
    super(
      isLast
        ? `Delivery ${deliveryId} failed its last attempt (${attempts}); its message goes to the dead-letter queue.`
        : `Delivery ${deliveryId} failed attempt ${attempts}; it is tried again after its backoff.`,
    );
    this.name = 'DeliveryRetryError';
  }
}

/** Why a delivery ended without being sent. */
const SKIPPED = { gone: 'webhook deleted', paused: 'webhook paused' } as const;

/** The change pausing a webhook: its status, a `webhook.paused` event and a `webhook_paused` escalation. */
const pausing = (prev: Webhook, next: Webhook, ctx: ChangeContext, lastError: string | undefined): Change => {
  const subject = prev.id.replace(/[^A-Za-z0-9_.:-]/g, '-');
  const opening = openingOf(
    {
      id: escalationId(subject, EscalationKind.WebhookPaused, next.pauses),
      workId: subject,
      team: next.team ?? SYSTEM_TEAM,
      kind: EscalationKind.WebhookPaused,
      number: next.pauses,
      status: EscalationStatus.Open,
      openedAt: ctx.now.toISOString(),
      details: {
        webhookId: next.id,
        url: next.url,
        consecutiveFailures: next.consecutiveFailures,
        ...(lastError !== undefined && { lastError }),
      },
      version: 1,
    },
    ctx,
  );
  return {
    writes: [{ kind: 'webhook', webhook: next, expectedVersion: prev.version }, ...opening.change.writes],
    events: [webhookEvent(ctx, Action.WebhookPaused, prev, next), ...opening.change.events],
  };
};

/** Counts an ended delivery on its webhook; pauses it (and escalates) at `pauseAfter` failures in a row. */
const settleWebhook = async (
  deps: Pick<WebhookDeps, 'clock' | 'ids' | 'uow' | 'webhooks' | 'webhookPolicy'>,
  webhook: Webhook,
  delivery: Delivery,
): Promise<void> => {
  const delivered = delivery.status === DeliveryStatus.Delivered;
  const ctx = systemContext(deps);
  await decideAndCommit<Webhook | undefined, void>(
    deps.uow,
    webhook,
    (current) => {
      const next = current && afterDeliveryEnded(current, delivered, deps.webhookPolicy.pauseAfter);
      if (!current || !next) return { result: undefined };
      const change: Change = next.paused
        ? pausing(current, next.webhook, ctx, delivery.lastError)
        : {
            writes: [{ kind: 'webhook', webhook: next.webhook, expectedVersion: current.version }],
            events: [],
          };
      return { change, result: undefined };
    },
    (conflict, known) =>
      refreshed<Webhook | undefined>(conflict, ['webhook'], webhook.id, known, () =>
        deps.webhooks.get(webhook.id),
      ),
  );
};

/**
 * The `webhooks` queue consumer's use case: one attempt of one delivery.
 * 1. read the webhook and the delivery: a deleted or paused webhook ends it as failed unsent, a
 *    delivery already ended is not sent again (a repeated message);
 * 2. POST it, signed; record the attempt (status, attempts, last error, response status);
 * 3. a failed attempt with attempts left hides the message for its backoff and throws
 *    {@link DeliveryRetryError} (the message comes back); the last failed attempt ends the delivery
 *    as failed and throws too, so the message goes on to the dead-letter queue;
 * 4. an ended delivery is counted on its webhook: delivered clears the failure count, failed adds
 *    to it and pauses the webhook at `pauseAfter` in a row, with a `webhook_paused` escalation.
 * @throws DeliveryRetryError when the attempt failed (see 3)
 * @throws UnavailableError when the store or the queue does not answer (the message is retried)
 */
export const deliverWebhook = async (
  deps: WebhookDeps,
  request: DeliveryRequest,
  receiptHandle: string,
): Promise<Delivery> => {
  const [webhook, stored] = await Promise.all([
    deps.webhooks.get(request.webhookId),
    deps.deliveries.get(request.webhookId, request.deliveryId),
  ]);
  const now = deps.clock.now().toISOString();
  const delivery: Delivery = stored ?? {
    id: request.deliveryId,
    webhookId: request.webhookId,
    event: request.event,
    at: typeof request.payload.at === 'string' ? request.payload.at : now,
    status: DeliveryStatus.Pending,
    attempts: 0,
    updatedAt: now,
  };
  if (delivery.status !== DeliveryStatus.Pending) return delivery;
  const skipped = !webhook
    ? SKIPPED.gone
    : webhook.status !== WebhookStatus.Active
      ? SKIPPED.paused
      : undefined;
  if (!webhook || skipped) {
    const ended: Delivery = {
      ...delivery,
      status: DeliveryStatus.Failed,
      lastError: skipped,
      updatedAt: now,
    };
    if (webhook) await deps.deliveries.put(ended);
    return ended;
  }
  const outcome = await deps.webhookSender.send({
    url: webhook.url,
    secret: webhook.secret,
    deliveryId: delivery.id,
    event: request.event,
    body: JSON.stringify({ id: delivery.id, event: request.event, ...request.payload }),
  });
  const { delivery: next, final } = afterAttempt(delivery, outcome, deps.webhookPolicy.maxAttempts, now);
  await deps.deliveries.put(next);
  if (final) await settleWebhook(deps, webhook, next);
  if (next.status === DeliveryStatus.Delivered) return next;
  const { retryBaseSeconds, retryCapSeconds } = deps.webhookPolicy;
  await deps.deliveryQueue.delay(
    receiptHandle,
    final ? 0 : retryDelaySeconds(next.attempts, retryBaseSeconds, retryCapSeconds),
  );
  throw new DeliveryRetryError(next.id, next.attempts, final);
};
