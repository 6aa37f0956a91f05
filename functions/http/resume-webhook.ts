import { resumeWebhook } from '#app/use-cases/webhooks/change-webhook';
import { httpRoute, ok } from '../shared/http';
import { routes } from '../shared/routes';
import { webhookDeps } from '../shared/wiring';

/** `POST /v1/webhooks/{id}/resume`: the webhook, active again. */
export const handler = httpRoute(routes.resumeWebhook, async ({ ctx, params }) =>
  ok(await resumeWebhook(webhookDeps(), ctx, params)),
);
