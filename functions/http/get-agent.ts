import { getAgent } from '#app/use-cases/get-agent';
import { httpRoute, ok } from '../shared/http';
import { routes } from '../shared/routes';
import { deps } from '../shared/wiring';

/** `GET /v1/agents/{id}`: the agent with its health and active claims. */
export const handler = httpRoute(routes.getAgent, async ({ ctx, params }) =>
  ok(await getAgent(deps(), ctx, params)),
);
