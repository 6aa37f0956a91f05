import { failWork } from '#app/use-cases/fail-work';
import { httpRoute, ok } from '../shared/http';
import { workRoutes } from '../shared/routes/work';
import { deps } from '../shared/wiring';

/** `POST /v1/work/{id}/fail`: the item, back to ready, escalated or failed. */
export const handler = httpRoute(workRoutes.failWork, async ({ ctx, body, params }) =>
  ok(await failWork(deps(), ctx, { ...body, id: params.id })),
);
