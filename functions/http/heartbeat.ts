import { recordHeartbeat } from '#app/use-cases/record-heartbeat';
import { accepted, httpRoute } from '../shared/http';
import { agentRoutes } from '../shared/routes/agents';
import { deps } from '../shared/wiring';

/** `POST /v1/agents/{id}/heartbeat`: 202 once the heartbeat is on the queue; its consumer applies it. */
export const handler = httpRoute(agentRoutes.heartbeat, async ({ ctx, body, params }) => {
  await recordHeartbeat(deps(), ctx, { ...body, id: params.id });
  return accepted();
});
