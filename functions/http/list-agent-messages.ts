import { listAgentMessages } from '#app/use-cases/messages/read-messages';
import { httpRoute, ok } from '../shared/http';
import { routes } from '../shared/routes';
import { deps } from '../shared/wiring';

/** `GET /v1/agents/{id}/messages`: a page of the agent's inbox with its read marker. */
export const handler = httpRoute(routes.listAgentMessages, async ({ ctx, params, query }) =>
  ok(await listAgentMessages(deps(), ctx, { ...query, id: params.id })),
);
