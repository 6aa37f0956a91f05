import { listAudit } from '#app/use-cases/list-audit';
import { httpRoute, ok } from '../shared/http';
import { oversightRoutes } from '../shared/routes/oversight';
import { deps } from '../shared/wiring';

/** `GET /v1/audit`: a page of audit events, newest first. */
export const handler = httpRoute(oversightRoutes.listAudit, async ({ ctx, query }) =>
  ok(await listAudit(deps(), ctx, query)),
);
