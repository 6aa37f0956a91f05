import { NotFoundError } from '#core/errors';
import { EntityType } from '#core/model';
import type { RequestContext } from '../../context';
import type { DeliveryPage, WebhookPage, WebhooksQuery } from '../../schemas/webhooks';
import { DEFAULT_PAGE_LIMIT } from '../shared/context';
import type { WebhookDeps } from './deps';
import { presentDelivery, presentWebhook } from './present';

/** `GET /v1/webhooks` (admin): webhooks, oldest first, a page at a time; never a secret. */
export const listWebhooks = async (
  deps: Pick<WebhookDeps, 'webhooks'>,
  _ctx: RequestContext,
  query: WebhooksQuery,
): Promise<WebhookPage> => {
  const page = await deps.webhooks.list({ ...query, limit: query.limit ?? DEFAULT_PAGE_LIMIT });
  return { ...page, items: page.items.map(presentWebhook) };
};

/**
 * `GET /v1/webhooks/{id}/deliveries` (admin): the webhook's deliveries, newest first.
 * @throws NotFoundError when the webhook does not exist
 */
export const listDeliveries = async (
  deps: Pick<WebhookDeps, 'webhooks' | 'deliveries'>,
  _ctx: RequestContext,
  input: { readonly id: string; readonly limit?: number; readonly cursor?: string },
): Promise<DeliveryPage> => {
  const { id, ...paging } = input;
  if (!(await deps.webhooks.get(id))) throw new NotFoundError(EntityType.Webhook, id);
  const page = await deps.deliveries.list(id, { ...paging, limit: paging.limit ?? DEFAULT_PAGE_LIMIT });
  return { ...page, items: page.items.map(presentDelivery) };
};
