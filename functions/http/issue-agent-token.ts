import { issueAgentToken } from '#app/use-cases/issue-agent-token';
import { created, httpRoute } from '../shared/http';
import { agentRoutes } from '../shared/routes/agents';
import { deps } from '../shared/wiring';

/** `POST /v1/agents/{id}/token`: 201 with the agent's new token (shown once; earlier ones stop working). */
export const handler = httpRoute(agentRoutes.issueAgentToken, async ({ ctx, params }) =>
  created(await issueAgentToken(deps(), ctx, params)),
);
