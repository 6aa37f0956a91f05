import { reassignWork } from '#app/use-cases/reassign-work';
import { httpRoute, ok } from '../shared/http';
import { workRoutes } from '../shared/routes/work';
import { deps } from '../shared/wiring';

/** `POST /v1/work/{id}/reassign`: the item, released or claimed for another agent. */
export const handler = httpRoute(workRoutes.reassignWork, async ({ ctx, body, params }) =>
  ok(await reassignWork(deps(), ctx, { ...body, id: params.id })),
);
