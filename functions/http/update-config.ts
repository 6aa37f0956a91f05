import { updateConfig } from '#app/use-cases/update-config';
import { httpRoute, ok } from '../shared/http';
import { adminRoutes } from '../shared/routes/admin';
import { deps } from '../shared/wiring';

/** `PUT /v1/config`: the whole configuration after the deep merge. */
export const handler = httpRoute(adminRoutes.updateConfig, async ({ ctx, body }) =>
  ok(await updateConfig(deps(), ctx, body)),
);
