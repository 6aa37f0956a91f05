import { issueToken } from '#app/use-cases/issue-token';
import { created, httpRoute } from '../shared/http';
import { routes } from '../shared/routes';
import { deps } from '../shared/wiring';

/** `POST /v1/tokens`: 201 with the token (shown once). */
export const handler = httpRoute(routes.issueToken, async ({ ctx, body }) =>
  created(await issueToken(deps(), ctx, body)),
);
