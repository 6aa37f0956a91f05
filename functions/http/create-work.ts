import { createWork } from '#app/use-cases/create-work';
import { created, httpRoute } from '../shared/http';
import { workRoutes } from '../shared/routes/work';
import { deps } from '../shared/wiring';

/** `POST /v1/work`: 201 with the new item and its server-made id. */
export const handler = httpRoute(workRoutes.createWork, async ({ ctx, body }) =>
  created(await createWork(deps(), ctx, body)),
);
