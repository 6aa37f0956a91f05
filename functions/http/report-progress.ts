import { reportProgress } from '#app/use-cases/report-progress';
import { httpRoute, ok } from '../shared/http';
import { routes } from '../shared/routes';
import { deps } from '../shared/wiring';

/** `POST /v1/work/{id}/progress`: the updated item (the lease is renewed). */
export const handler = httpRoute(routes.reportProgress, async ({ ctx, body, params }) =>
  ok(await reportProgress(deps(), ctx, { ...body, id: params.id })),
);
