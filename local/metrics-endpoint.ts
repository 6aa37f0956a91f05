/**
 * `GET /metrics` of the local runtime (API.md: local only, no token): the metrics summary of the
 * last 15 minutes and hour as Prometheus text, from the same rollups `GET /v1/metrics/summary`
 * reads. The composition root is loaded on first request, once the handlers' environment is set.
 */
import type { HttpAnswer } from './api-gateway-event';

/** The answer of `GET /metrics`. */
export const prometheusAnswer = async (): Promise<HttpAnswer> => {
  const [{ metricsDeps }, { metricsSummary }, { prometheusText }] = await Promise.all([
    import('#functions/shared/wiring'),
    import('#app/use-cases/metrics/metrics-summary'),
    import('#app/prometheus'),
  ]);
  const deps = metricsDeps();
  const summaries = await Promise.all([
    metricsSummary(deps, { window: '15m' }),
    metricsSummary(deps, { window: '1h' }),
  ]);
  return {
    statusCode: 200,
    headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
    cookies: [],
    body: Buffer.from(prometheusText(summaries)),
  };
};
