import { resolveEscalation } from '#app/use-cases/resolve-escalation';
import { httpRoute, ok } from '../shared/http';
import { oversightRoutes } from '../shared/routes/oversight';
import { deps } from '../shared/wiring';

/** `POST /v1/escalations/{id}/resolve`: the escalation, now resolved. */
export const handler = httpRoute(oversightRoutes.resolveEscalation, async ({ ctx, body, params }) =>
  ok(await resolveEscalation(deps(), ctx, { ...body, id: params.id })),
);
