import { repairInvariant } from '#app/use-cases/invariants';
import { httpRoute, ok } from '../shared/http';
import { oversightRoutes } from '../shared/routes/oversight';
import { deps } from '../shared/wiring';

/** `POST /v1/invariants/{name}/repair`: repair what a check found. */
export const handler = httpRoute(oversightRoutes.repairInvariant, async ({ ctx, params }) =>
  ok(await repairInvariant(deps(), ctx, params.name)),
);
