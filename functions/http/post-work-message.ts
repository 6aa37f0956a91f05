import { postWorkMessage } from '#app/use-cases/messages/post-message';
import { created, httpRoute } from '../shared/http';
import { messageRoutes } from '../shared/routes/messages';
import { deps } from '../shared/wiring';

/** `POST /v1/work/{id}/messages`: the message as stored. */
export const handler = httpRoute(messageRoutes.postWorkMessage, async ({ ctx, body, params }) =>
  created(await postWorkMessage(deps(), ctx, { ...body, id: params.id })),
);
