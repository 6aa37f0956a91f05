import { registerAgent } from '#app/use-cases/register-agent';
import { created, httpRoute } from '../shared/http';
import { routes } from '../shared/routes';
import { deps } from '../shared/wiring';

/** `POST /v1/agents`: 201 with the agent and its token (shown once). */
export const handler = httpRoute(routes.registerAgent, async ({ ctx, body }) =>
  created(await registerAgent(deps(), ctx, body)),
);
