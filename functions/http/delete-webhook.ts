import { deleteWebhook } from '#app/use-cases/webhooks/change-webhook';
import { httpRoute, noContent } from '../shared/http';
import { routes } from '../shared/routes';
import { webhookDeps } from '../shared/wiring';

/** `DELETE /v1/webhooks/{id}`: 204 once no more deliveries go to it. */
export const handler = httpRoute(routes.deleteWebhook, async ({ ctx, params }) => {
  await deleteWebhook(webhookDeps(), ctx, params);
  return noContent();
});
