import { analyzePerformance } from '#app/use-cases/ai/analyze-performance';
import { httpRoute, ok } from '../shared/http';
import { aiRoutes } from '../shared/routes/ai';
import { deps } from '../shared/wiring';

/** `GET /v1/ai/performance`: per agent and team figures with suggestions. */
export const handler = httpRoute(aiRoutes.aiPerformance, async ({ ctx, query }) =>
  ok(await analyzePerformance(deps(), ctx, query)),
);
