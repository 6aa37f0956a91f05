import { metricsSummary } from '#app/use-cases/metrics/metrics-summary';
import { httpRoute, ok } from '../shared/http';
import { metricsRoutes } from '../shared/routes/metrics';
import { metricsDeps } from '../shared/wiring';

/** `GET /v1/metrics/summary`: the window's figures from the rollups. */
export const handler = httpRoute(metricsRoutes.metricsSummary, async ({ query }) =>
  ok(await metricsSummary(metricsDeps(), query)),
);
