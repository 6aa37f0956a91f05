import { updateConfig } from '#app/use-cases/update-config';
import { httpRoute, ok } from '../shared/http';
import { routes } from '../shared/routes';
import { deps } from '../shared/wiring';

/** `PUT /v1/config`: the whole configuration after the deep merge. */
export const handler = httpRoute(routes.updateConfig, async ({ ctx, body }) =>
  ok(await updateConfig(deps(), ctx, body)),
);
