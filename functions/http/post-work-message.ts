import { postWorkMessage } from '#app/use-cases/messages/post-message';
import { created, httpRoute } from '../shared/http';
import { routes } from '../shared/routes';
import { deps } from '../shared/wiring';

/** `POST /v1/work/{id}/messages`: the message as stored. */
export const handler = httpRoute(routes.postWorkMessage, async ({ ctx, body, params }) =>
  created(await postWorkMessage(deps(), ctx, { ...body, id: params.id })),
);
