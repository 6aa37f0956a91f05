import { listWebhooks } from '#app/use-cases/webhooks/list-webhooks';
import { httpRoute, ok } from '../shared/http';
import { routes } from '../shared/routes';
import { webhookDeps } from '../shared/wiring';

/** `GET /v1/webhooks`: webhooks without their secrets. */
export const handler = httpRoute(routes.listWebhooks, async ({ ctx, query }) =>
  ok(await listWebhooks(webhookDeps(), ctx, query)),
);
