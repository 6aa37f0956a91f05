import { getWork } from '#app/use-cases/get-work';
import { httpRoute, ok } from '../shared/http';
import { workRoutes } from '../shared/routes/work';
import { deps } from '../shared/wiring';

/** `GET /v1/work/{id}`: the item (never a claim token). */
export const handler = httpRoute(workRoutes.getWork, async ({ ctx, params, query }) =>
  ok(await getWork(deps(), ctx, { ...params, ...query })),
);
