import { cancelWork } from '#app/use-cases/cancel-work';
import { httpRoute, ok } from '../shared/http';
import { workRoutes } from '../shared/routes/work';
import { deps } from '../shared/wiring';

/** `POST /v1/work/{id}/cancel`: the cancelled item. */
export const handler = httpRoute(workRoutes.cancelWork, async ({ ctx, body, params }) =>
  ok(await cancelWork(deps(), ctx, { ...body, id: params.id })),
);
