import { completeWork } from '#app/use-cases/complete-work';
import { httpRoute, ok } from '../shared/http';
import { workRoutes } from '../shared/routes/work';
import { deps } from '../shared/wiring';

/** `POST /v1/work/{id}/complete`: the completed item. */
export const handler = httpRoute(workRoutes.completeWork, async ({ ctx, body, params }) =>
  ok(await completeWork(deps(), ctx, { ...body, id: params.id })),
);
