import type { HealthView } from '#app/schemas/views';
import { httpRoute, ok } from '../shared/http';
import { logger } from '../shared/observability';
import { systemRoutes } from '../shared/routes/system';
import { config, deps } from '../shared/wiring';

/** `GET /v1/health`: 200 while the store answers, else 503 with Retry-After. */
export const handler = httpRoute(systemRoutes.health, async () => {
  // Turning a failed probe into a status is this route's whole job, so here a failure is an answer.
  const store = await deps()
    .probe.ping()
    .then(
      () => 'ok' as const,
      (error: unknown) => {
        logger.warn('Store probe failed', { error });
        return 'unavailable' as const;
      },
    );
  const body: HealthView = {
    status: store,
    version: config().serviceVersion,
    checks: { store: { status: store } },
  };
  return store === 'ok' ? ok(body) : { status: 503, body, headers: { 'retry-after': '5' } };
});
