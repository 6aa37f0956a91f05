import { getConfig } from '#app/use-cases/get-config';
import { httpRoute, ok } from '../shared/http';
import { adminRoutes } from '../shared/routes/admin';
import { deps } from '../shared/wiring';

/** `GET /v1/config`: the whole runtime configuration, in the shape `PUT` takes. */
export const handler = httpRoute(adminRoutes.getConfig, async ({ ctx }) => ok(await getConfig(deps(), ctx)));
