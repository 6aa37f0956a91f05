/**
 * `GET /metrics` of the local runtime (API.md: local only, no token): the metrics summary of the
 * last 15 minutes and hour as Prometheus text, from the same rollups `GET /v1/metrics/summary`
 * reads. The composition root is loaded on first request, once the handlers' environment is set.
 */
import { UnavailableError } from '#core/errors';
import type { HttpAnswer } from './api-gateway-event';

const answer = (statusCode: number, contentType: string, body: string, headers = {}): HttpAnswer => ({
  statusCode,
  headers: { 'content-type': contentType, ...headers },
  cookies: [],
  body: Buffer.from(body),
});

/** The answer of `GET /metrics`; a store outage is a 503 with Retry-After, as on every route. */
export const prometheusAnswer = async (): Promise<HttpAnswer> => {
  const [{ metricsDeps }, { metricsSummary }, { prometheusText }] = await Promise.all([
    import('#functions/shared/wiring'),
    import('#app/use-cases/metrics/metrics-summary'),
    import('#app/prometheus'),
  ]);
  const deps = metricsDeps();
  try {
    const summaries = await Promise.all([
      metricsSummary(deps, { window: '15m' }),
      metricsSummary(deps, { window: '1h' }),
    ]);
    return answer(200, 'text/plain; version=0.0.4; charset=utf-8', prometheusText(summaries));
  } catch (error) {
    if (!(error instanceof UnavailableError)) throw error;
    const body = { error: { code: 'unavailable', message: error.message, details: {} } };
    return answer(503, 'application/json', JSON.stringify(body), {
      'retry-after': String(error.retryAfterSeconds),
    });
  }
};
