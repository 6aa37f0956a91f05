import { releaseWork } from '#app/use-cases/release-work';
import { httpRoute, ok } from '../shared/http';
import { workRoutes } from '../shared/routes/work';
import { deps } from '../shared/wiring';

/** `POST /v1/work/{id}/release`: the item, back to ready. */
export const handler = httpRoute(workRoutes.releaseWork, async ({ ctx, body, params }) =>
  ok(await releaseWork(deps(), ctx, { ...body, id: params.id })),
);
