import { updateAgent } from '#app/use-cases/update-agent';
import { httpRoute, ok } from '../shared/http';
import { agentRoutes } from '../shared/routes/agents';
import { deps } from '../shared/wiring';

/** `PATCH /v1/agents/{id}`: the updated agent. */
export const handler = httpRoute(agentRoutes.updateAgent, async ({ ctx, body, params }) =>
  ok(await updateAgent(deps(), ctx, { ...body, id: params.id })),
);
