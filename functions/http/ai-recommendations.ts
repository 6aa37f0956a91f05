import { recommendAssignments } from '#app/use-cases/ai/recommend-assignments';
import { httpRoute, ok } from '../shared/http';
import { aiRoutes } from '../shared/routes/ai';
import { deps } from '../shared/wiring';

/** `POST /v1/ai/recommendations`: agent <-> work pairs with a score and a reason each. */
export const handler = httpRoute(aiRoutes.aiRecommendations, async ({ ctx, body }) =>
  ok(await recommendAssignments(deps(), ctx, body)),
);
