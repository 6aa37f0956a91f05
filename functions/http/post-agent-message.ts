import { postAgentMessage } from '#app/use-cases/messages/post-message';
import { created, httpRoute } from '../shared/http';
import { messageRoutes } from '../shared/routes/messages';
import { deps } from '../shared/wiring';

/** `POST /v1/agents/{id}/messages`: the direct message as stored. */
export const handler = httpRoute(messageRoutes.postAgentMessage, async ({ ctx, body, params }) =>
  created(await postAgentMessage(deps(), ctx, { ...body, id: params.id })),
);
