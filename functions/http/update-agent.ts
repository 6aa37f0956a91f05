import { updateAgent } from '#app/use-cases/update-agent';
import { httpRoute, ok } from '../shared/http';
import { routes } from '../shared/routes';
import { deps } from '../shared/wiring';

/** `PATCH /v1/agents/{id}`: the updated agent. */
export const handler = httpRoute(routes.updateAgent, async ({ ctx, body, params }) =>
  ok(await updateAgent(deps(), ctx, { ...body, id: params.id })),
);
