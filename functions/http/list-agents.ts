import { listAgents } from '#app/use-cases/list-agents';
import { httpRoute, ok } from '../shared/http';
import { agentRoutes } from '../shared/routes/agents';
import { deps } from '../shared/wiring';

/** `GET /v1/agents`: a page of agents, filtered by team or status. */
export const handler = httpRoute(agentRoutes.listAgents, async ({ ctx, query }) =>
  ok(await listAgents(deps(), ctx, query)),
);
