import { issueToken } from '#app/use-cases/issue-token';
import { created, httpRoute } from '../shared/http';
import { adminRoutes } from '../shared/routes/admin';
import { deps } from '../shared/wiring';

/** `POST /v1/tokens`: 201 with the token (shown once). */
export const handler = httpRoute(adminRoutes.issueToken, async ({ ctx, body }) =>
  created(await issueToken(deps(), ctx, body)),
);
