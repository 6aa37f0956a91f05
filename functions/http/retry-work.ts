import { retryWork } from '#app/use-cases/retry-work';
import { httpRoute, ok } from '../shared/http';
import { workRoutes } from '../shared/routes/work';
import { deps } from '../shared/wiring';

/** `POST /v1/work/{id}/retry`: the item, back to ready with no attempts. */
export const handler = httpRoute(workRoutes.retryWork, async ({ ctx, body, params }) =>
  ok(await retryWork(deps(), ctx, { ...body, id: params.id })),
);
