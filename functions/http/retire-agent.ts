import { retireAgent } from '#app/use-cases/retire-agent';
import { httpRoute, ok } from '../shared/http';
import { routes } from '../shared/routes';
import { deps } from '../shared/wiring';

/** `POST /v1/agents/{id}/retire`: the agent, retiring or retired. */
export const handler = httpRoute(routes.retireAgent, async ({ ctx, body, params }) =>
  ok(await retireAgent(deps(), ctx, { ...body, id: params.id })),
);
