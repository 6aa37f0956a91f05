import { markMessagesRead } from '#app/use-cases/messages/read-messages';
import { httpRoute, ok } from '../shared/http';
import { messageRoutes } from '../shared/routes/messages';
import { deps } from '../shared/wiring';

/** `POST /v1/agents/{id}/messages/read`: the read marker in force. */
export const handler = httpRoute(messageRoutes.markMessagesRead, async ({ ctx, body, params }) =>
  ok(await markMessagesRead(deps(), ctx, { ...body, id: params.id })),
);
