import { listInvariants } from '#app/use-cases/invariants';
import { httpRoute, ok } from '../shared/http';
import { oversightRoutes } from '../shared/routes/oversight';
import { deps } from '../shared/wiring';

/** `GET /v1/invariants`: each invariant check with its last results. */
export const handler = httpRoute(oversightRoutes.listInvariants, async () =>
  ok(await listInvariants(deps())),
);
