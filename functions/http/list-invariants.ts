import { listInvariants } from '#app/use-cases/invariants';
import { httpRoute, ok } from '../shared/http';
import { routes } from '../shared/routes';
import { deps } from '../shared/wiring';

/** `GET /v1/invariants`: each invariant check with its last results. */
export const handler = httpRoute(routes.listInvariants, async () => ok(await listInvariants(deps())));
