import { listAgentMessages } from '#app/use-cases/messages/read-messages';
import { httpRoute, ok } from '../shared/http';
import { messageRoutes } from '../shared/routes/messages';
import { deps } from '../shared/wiring';

/** `GET /v1/agents/{id}/messages`: a page of the agent's inbox with its read marker. */
export const handler = httpRoute(messageRoutes.listAgentMessages, async ({ ctx, params, query }) =>
  ok(await listAgentMessages(deps(), ctx, { ...query, id: params.id })),
);
