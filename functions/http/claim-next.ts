import { claimNext } from '#app/use-cases/claim-next';
import { countLostRaces, withClaimMetrics } from '../shared/claim-metrics';
import { httpRoute, noContent, ok } from '../shared/http';
import { workRoutes } from '../shared/routes/work';
import { deps } from '../shared/wiring';

/** `POST /v1/work/claim-next`: the claimed item and its token, or 204 when nothing fits. */
export const handler = withClaimMetrics(
  workRoutes.claimNext.id,
  httpRoute(workRoutes.claimNext, async ({ ctx, body }) => {
    const claim = await claimNext(deps(), ctx, body, countLostRaces);
    return claim ? ok(claim) : noContent();
  }),
);
