import { retireAgent } from '#app/use-cases/retire-agent';
import { httpRoute, ok } from '../shared/http';
import { agentRoutes } from '../shared/routes/agents';
import { deps } from '../shared/wiring';

/** `POST /v1/agents/{id}/retire`: the agent, retiring or retired. */
export const handler = httpRoute(agentRoutes.retireAgent, async ({ ctx, body, params }) =>
  ok(await retireAgent(deps(), ctx, { ...body, id: params.id })),
);
