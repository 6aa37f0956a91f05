import { resumeWebhook } from '#app/use-cases/webhooks/change-webhook';
import { httpRoute, ok } from '../shared/http';
import { webhookRoutes } from '../shared/routes/webhooks';
import { webhookDeps } from '../shared/wiring';

/** `POST /v1/webhooks/{id}/resume`: the webhook, active again. */
export const handler = httpRoute(webhookRoutes.resumeWebhook, async ({ ctx, params }) =>
  ok(await resumeWebhook(webhookDeps(), ctx, params)),
);
