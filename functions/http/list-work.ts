import { listWork } from '#app/use-cases/list-work';
import { httpRoute, ok } from '../shared/http';
import { workRoutes } from '../shared/routes/work';
import { deps } from '../shared/wiring';

/** `GET /v1/work`: a page of items, filtered by team, status or holder. */
export const handler = httpRoute(workRoutes.listWork, async ({ ctx, query }) =>
  ok(await listWork(deps(), ctx, query)),
);
