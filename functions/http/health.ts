import type { HealthView } from '#app/schemas/views';
import { httpRoute } from '../shared/http';
import { logger } from '../shared/observability';
import { routes } from '../shared/routes';
import { config, deps } from '../shared/wiring';

type CheckStatus = HealthView['status'];

// Turning a failed probe into a status is this route's whole job, so the failure is an answer here.
const probeStore = (): Promise<CheckStatus> =>
  deps()
    .probe.ping()
    .then(
      () => 'ok' as const,
      (error: unknown) => {
        logger.warn('Store probe failed', { error });
        return 'unavailable' as const;
      },
    );

/** `GET /v1/health`: 200 while the store answers, else 503 with Retry-After. */
export const handler = httpRoute(routes.health, async () => {
  const store = await probeStore();
  const body: HealthView = {
    status: store,
    version: config().serviceVersion,
    checks: { store: { status: store } },
  };
  return store === 'ok' ? { status: 200, body } : { status: 503, body, headers: { 'retry-after': '5' } };
});
