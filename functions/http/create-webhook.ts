import { createWebhook } from '#app/use-cases/webhooks/create-webhook';
import { created, httpRoute } from '../shared/http';
import { routes } from '../shared/routes';
import { webhookDeps } from '../shared/wiring';

/** `POST /v1/webhooks`: 201 with the webhook (its secret only as `secretHint`). */
export const handler = httpRoute(routes.createWebhook, async ({ ctx, body }) =>
  created(await createWebhook(webhookDeps(), ctx, body)),
);
