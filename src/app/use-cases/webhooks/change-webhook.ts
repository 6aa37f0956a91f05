import { auditEvent, type ChangeContext } from '#core/audit';
import { NotFoundError } from '#core/errors';
import { Action } from '#core/events';
import { EntityType } from '#core/model';
import type { Change } from '#core/ports';
import { type Webhook, WebhookStatus } from '#core/webhooks/webhook';
import type { RequestContext } from '../../context';
import type { WebhookView } from '../../schemas/webhooks';
import { changeContextOf } from '../shared/context';
import { decideAndCommit, refreshed } from '../shared/optimistic';
import type { WebhookDeps } from './deps';
import { presentWebhook, webhookSnapshot } from './present';

type ChangeDeps = Pick<WebhookDeps, 'clock' | 'ids' | 'uow' | 'webhooks'>;

/** The stored webhook. @throws NotFoundError */
const readWebhook = async (deps: Pick<WebhookDeps, 'webhooks'>, id: string): Promise<Webhook> => {
  const webhook = await deps.webhooks.get(id);
  if (!webhook) throw new NotFoundError(EntityType.Webhook, id);
  return webhook;
};

/** The audit event of a webhook going from `prev` to `next` (or away, without `next`). */
const webhookEvent = (ctx: ChangeContext, action: string, prev: Webhook, next?: Webhook) =>
  auditEvent(ctx, {
    action,
    entityType: EntityType.Webhook,
    entityId: prev.id,
    seq: next?.version ?? prev.version + 1,
    ...(prev.team !== undefined && { team: prev.team }),
    before: webhookSnapshot(prev),
    ...(next && { after: webhookSnapshot(next) }),
  });

/** Decide on the stored webhook, commit, and decide again from what won a race (404 once it is gone). */
const changeStored = <R>(
  deps: ChangeDeps,
  id: string,
  decide: (webhook: Webhook) => { change?: Change; result: R },
): Promise<R> =>
  readWebhook(deps, id).then((initial) =>
    decideAndCommit<Webhook, R>(
      deps.uow,
      initial,
      (webhook) => {
        const step = decide(webhook);
        return step.change ? { change: step.change, result: step.result } : { result: step.result };
      },
      async (conflict, known) => {
        const current = await refreshed<Webhook | undefined>(conflict, ['webhook'], id, known, () =>
          deps.webhooks.get(id),
        );
        if (!current) throw new NotFoundError(EntityType.Webhook, id);
        return current;
      },
    ),
  );

/**
 * `DELETE /v1/webhooks/{id}` (admin): no more deliveries (those in flight are dropped by the
 * sender), with a `webhook.deleted` event. Its delivery records expire on their own.
 * @throws NotFoundError
 */
export const deleteWebhook = async (
  deps: ChangeDeps,
  ctx: RequestContext,
  input: { id: string },
): Promise<void> => {
  const cctx = changeContextOf(deps, ctx);
  await changeStored(deps, input.id, (webhook) => ({
    change: {
      writes: [{ kind: 'webhookDelete', webhookId: webhook.id, expectedVersion: webhook.version }],
      events: [webhookEvent(cctx, Action.WebhookDeleted, webhook)],
    },
    result: undefined,
  }));
};

/**
 * `POST /v1/webhooks/{id}/resume` (admin): a paused webhook is active again, its failure count
 * cleared (`webhook.resumed`); an active one is answered as it is.
 * @throws NotFoundError
 */
export const resumeWebhook = async (
  deps: ChangeDeps,
  ctx: RequestContext,
  input: { id: string },
): Promise<WebhookView> => {
  const cctx = changeContextOf(deps, ctx);
  return changeStored(deps, input.id, (webhook) => {
    if (webhook.status === WebhookStatus.Active) return { result: presentWebhook(webhook) };
    const next: Webhook = {
      ...webhook,
      status: WebhookStatus.Active,
      consecutiveFailures: 0,
      version: webhook.version + 1,
    };
    return {
      change: {
        writes: [{ kind: 'webhook', webhook: next, expectedVersion: webhook.version }],
        events: [webhookEvent(cctx, Action.WebhookResumed, webhook, next)],
      },
      result: presentWebhook(next),
    };
  });
};

export { webhookEvent };
