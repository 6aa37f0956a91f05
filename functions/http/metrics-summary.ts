import { metricsSummary } from '#app/use-cases/metrics/metrics-summary';
import { httpRoute, ok } from '../shared/http';
import { routes } from '../shared/routes';
import { metricsDeps } from '../shared/wiring';

/** `GET /v1/metrics/summary`: the window's figures from the rollups. */
export const handler = httpRoute(routes.metricsSummary, async ({ query }) =>
  ok(await metricsSummary(metricsDeps(), query)),
);
