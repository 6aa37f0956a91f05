import { listWorkMessages } from '#app/use-cases/messages/read-messages';
import { httpRoute, ok } from '../shared/http';
import { messageRoutes } from '../shared/routes/messages';
import { deps } from '../shared/wiring';

/** `GET /v1/work/{id}/messages`: a page of the item's thread. */
export const handler = httpRoute(messageRoutes.listWorkMessages, async ({ ctx, params, query }) =>
  ok(await listWorkMessages(deps(), ctx, { ...query, id: params.id })),
);
