import { deleteWebhook } from '#app/use-cases/webhooks/change-webhook';
import { httpRoute, noContent } from '../shared/http';
import { webhookRoutes } from '../shared/routes/webhooks';
import { webhookDeps } from '../shared/wiring';

/** `DELETE /v1/webhooks/{id}`: 204 once no more deliveries go to it. */
export const handler = httpRoute(webhookRoutes.deleteWebhook, async ({ ctx, params }) => {
  await deleteWebhook(webhookDeps(), ctx, params);
  return noContent();
});
