import { listDeliveries } from '#app/use-cases/webhooks/list-webhooks';
import { httpRoute, ok } from '../shared/http';
import { routes } from '../shared/routes';
import { webhookDeps } from '../shared/wiring';

/** `GET /v1/webhooks/{id}/deliveries`: newest first. */
export const handler = httpRoute(routes.listWebhookDeliveries, async ({ ctx, params, query }) =>
  ok(await listDeliveries(webhookDeps(), ctx, { ...query, id: params.id })),
);
