import { revokeToken } from '#app/use-cases/revoke-token';
import { httpRoute, noContent } from '../shared/http';
import { adminRoutes } from '../shared/routes/admin';
import { deps } from '../shared/wiring';

/** `DELETE /v1/tokens/{id}`: 204 once the token no longer works. */
export const handler = httpRoute(adminRoutes.revokeToken, async ({ ctx, params }) => {
  await revokeToken(deps(), ctx, params);
  return noContent();
});
