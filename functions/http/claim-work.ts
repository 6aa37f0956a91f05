import { claimWork } from '#app/use-cases/claim-work';
import { withClaimMetrics } from '../shared/claim-metrics';
import { httpRoute, ok } from '../shared/http';
import { workRoutes } from '../shared/routes/work';
import { deps } from '../shared/wiring';

/** `POST /v1/work/{id}/claim`: the item and a fresh claim token. */
export const handler = withClaimMetrics(
  workRoutes.claimWork.id,
  httpRoute(workRoutes.claimWork, async ({ ctx, body, params }) =>
    ok(await claimWork(deps(), ctx, { ...body, id: params.id })),
  ),
);
