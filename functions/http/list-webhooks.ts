import { listWebhooks } from '#app/use-cases/webhooks/list-webhooks';
import { httpRoute, ok } from '../shared/http';
import { webhookRoutes } from '../shared/routes/webhooks';
import { webhookDeps } from '../shared/wiring';

/** `GET /v1/webhooks`: webhooks without their secrets. */
export const handler = httpRoute(webhookRoutes.listWebhooks, async ({ ctx, query }) =>
  ok(await listWebhooks(webhookDeps(), ctx, query)),
);
