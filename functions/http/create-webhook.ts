import { createWebhook } from '#app/use-cases/webhooks/create-webhook';
import { created, httpRoute } from '../shared/http';
import { webhookRoutes } from '../shared/routes/webhooks';
import { webhookDeps } from '../shared/wiring';

/** `POST /v1/webhooks`: 201 with the webhook (its secret only as `secretHint`). */
export const handler = httpRoute(webhookRoutes.createWebhook, async ({ ctx, body }) =>
  created(await createWebhook(webhookDeps(), ctx, body)),
);
