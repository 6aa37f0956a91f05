import { assessHealth } from '#app/use-cases/ai/assess-health';
import { httpRoute, ok } from '../shared/http';
import { routes } from '../shared/routes';
import { deps } from '../shared/wiring';

/** `GET /v1/ai/health`: findings and alerts. */
export const handler = httpRoute(routes.aiHealth, async () => ok(await assessHealth(deps())));
