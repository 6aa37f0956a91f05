/** Figures for dashboards: throughput, claim latency, conflicts and queue depth over time. */

import { defineRoute, routesById } from '#app/route';
import { MetricsSummaryQuery, MetricsSummaryView } from '#app/schemas/metrics';
import { Role } from '#core/roles';

/** The metrics summary. */
export const METRICS_ROUTES = [
  defineRoute({
    id: 'metricsSummary',
    method: 'GET',
    path: '/v1/metrics/summary',
    access: [Role.Admin, Role.Viewer],
    summary: 'Throughput, claim latency percentiles, conflicts and queue depth over a window, with a series',
    query: MetricsSummaryQuery,
    grants: 'read',
    responses: { 200: MetricsSummaryView },
  }),
] as const;

/** These routes by id: a handler takes its route here, so its bundle builds no other area's schemas. */
export const metricsRoutes = routesById(METRICS_ROUTES);
