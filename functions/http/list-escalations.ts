import { listEscalations } from '#app/use-cases/list-escalations';
import { httpRoute, ok } from '../shared/http';
import { routes } from '../shared/routes';
import { deps } from '../shared/wiring';

/** `GET /v1/escalations`: a page of escalations, open ones first. */
export const handler = httpRoute(routes.listEscalations, async ({ ctx, query }) =>
  ok(await listEscalations(deps(), ctx, query)),
);
