import { assessHealth } from '#app/use-cases/ai/assess-health';
import { httpRoute, ok } from '../shared/http';
import { aiRoutes } from '../shared/routes/ai';
import { deps } from '../shared/wiring';

/** `GET /v1/ai/health`: findings and alerts (each new alert opens an `ai_alert` escalation). */
export const handler = httpRoute(aiRoutes.aiHealth, async ({ requestId }) =>
  ok(await assessHealth(deps(), requestId)),
);
