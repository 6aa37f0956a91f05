import { createWork } from '#app/use-cases/create-work';
import { created, httpRoute } from '../shared/http';
import { routes } from '../shared/routes';
import { deps } from '../shared/wiring';

/** `POST /v1/work`: 201 with the new item and its server-made id. */
export const handler = httpRoute(routes.createWork, async ({ ctx, body }) =>
  created(await createWork(deps(), ctx, body)),
);
