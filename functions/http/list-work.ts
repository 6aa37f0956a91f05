import { listWork } from '#app/use-cases/list-work';
import { httpRoute, ok } from '../shared/http';
import { routes } from '../shared/routes';
import { deps } from '../shared/wiring';

/** `GET /v1/work`: a page of items, filtered by team, status or holder. */
export const handler = httpRoute(routes.listWork, async ({ ctx, query }) =>
  ok(await listWork(deps(), ctx, query)),
);
