import { cancelWork } from '#app/use-cases/cancel-work';
import { httpRoute, ok } from '../shared/http';
import { routes } from '../shared/routes';
import { deps } from '../shared/wiring';

/** `POST /v1/work/{id}/cancel`: the cancelled item. */
export const handler = httpRoute(routes.cancelWork, async ({ ctx, body, params }) =>
  ok(await cancelWork(deps(), ctx, { ...body, id: params.id })),
);
