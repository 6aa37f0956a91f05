import { completeWork } from '#app/use-cases/complete-work';
import { httpRoute, ok } from '../shared/http';
import { routes } from '../shared/routes';
import { deps } from '../shared/wiring';

/** `POST /v1/work/{id}/complete`: the completed item. */
export const handler = httpRoute(routes.completeWork, async ({ ctx, body, params }) =>
  ok(await completeWork(deps(), ctx, { ...body, id: params.id })),
);
