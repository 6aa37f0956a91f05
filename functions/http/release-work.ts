import { releaseWork } from '#app/use-cases/release-work';
import { httpRoute, ok } from '../shared/http';
import { routes } from '../shared/routes';
import { deps } from '../shared/wiring';

/** `POST /v1/work/{id}/release`: the item, back to ready. */
export const handler = httpRoute(routes.releaseWork, async ({ ctx, body, params }) =>
  ok(await releaseWork(deps(), ctx, { ...body, id: params.id })),
);
