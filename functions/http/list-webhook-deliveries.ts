import { listDeliveries } from '#app/use-cases/webhooks/list-webhooks';
import { httpRoute, ok } from '../shared/http';
import { webhookRoutes } from '../shared/routes/webhooks';
import { webhookDeps } from '../shared/wiring';

/** `GET /v1/webhooks/{id}/deliveries`: newest first. */
export const handler = httpRoute(webhookRoutes.listWebhookDeliveries, async ({ ctx, params, query }) =>
  ok(await listDeliveries(webhookDeps(), ctx, { ...query, id: params.id })),
);
