import { reportProgress } from '#app/use-cases/report-progress';
import { httpRoute, ok } from '../shared/http';
import { workRoutes } from '../shared/routes/work';
import { deps } from '../shared/wiring';

/** `POST /v1/work/{id}/progress`: the updated item (the lease is renewed). */
export const handler = httpRoute(workRoutes.reportProgress, async ({ ctx, body, params }) =>
  ok(await reportProgress(deps(), ctx, { ...body, id: params.id })),
);
