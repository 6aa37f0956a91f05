import { registerAgent } from '#app/use-cases/register-agent';
import { created, httpRoute } from '../shared/http';
import { agentRoutes } from '../shared/routes/agents';
import { deps } from '../shared/wiring';

/** `POST /v1/agents`: 201 with the agent and its token (shown once). */
export const handler = httpRoute(agentRoutes.registerAgent, async ({ ctx, body }) =>
  created(await registerAgent(deps(), ctx, body)),
);
