import { listEscalations } from '#app/use-cases/list-escalations';
import { httpRoute, ok } from '../shared/http';
import { oversightRoutes } from '../shared/routes/oversight';
import { deps } from '../shared/wiring';

/** `GET /v1/escalations`: a page of escalations, open ones first. */
export const handler = httpRoute(oversightRoutes.listEscalations, async ({ ctx, query }) =>
  ok(await listEscalations(deps(), ctx, query)),
);
