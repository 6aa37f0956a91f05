import { listTokens } from '#app/use-cases/list-tokens';
import { httpRoute, ok } from '../shared/http';
import { adminRoutes } from '../shared/routes/admin';
import { deps } from '../shared/wiring';

/** `GET /v1/tokens`: issued tokens without their secrets. */
export const handler = httpRoute(adminRoutes.listTokens, async ({ ctx, query }) =>
  ok(await listTokens(deps(), ctx, query)),
);
