import { issueAgentToken } from '#app/use-cases/issue-agent-token';
import { created, httpRoute } from '../shared/http';
import { routes } from '../shared/routes';
import { deps } from '../shared/wiring';

/** `POST /v1/agents/{id}/token`: 201 with the agent's new token (shown once; earlier ones stop working). */
export const handler = httpRoute(routes.issueAgentToken, async ({ ctx, params }) =>
  created(await issueAgentToken(deps(), ctx, params)),
);
