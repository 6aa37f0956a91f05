import { getAgent } from '#app/use-cases/get-agent';
import { httpRoute, ok } from '../shared/http';
import { agentRoutes } from '../shared/routes/agents';
import { deps } from '../shared/wiring';

/** `GET /v1/agents/{id}`: the agent with its health and active claims. */
export const handler = httpRoute(agentRoutes.getAgent, async ({ ctx, params }) =>
  ok(await getAgent(deps(), ctx, params)),
);
