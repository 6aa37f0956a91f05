/**
 * `GET /metrics` of the local runtime (API.md: local only, no token): the metrics summary of the
 * last 15 minutes and hour as Prometheus text, from the same rollups `GET /v1/metrics/summary`
 * reads. The composition root is loaded on first request, once the handlers' environment is set.
 */
import type { HttpAnswer } from './api-gateway-event';

const answer = (statusCode: number, contentType: string, body: string, headers = {}): HttpAnswer => ({
  statusCode,
  headers: { 'content-type': contentType, ...headers },
  cookies: [],
  body: Buffer.from(body),
});

/**
 * The answer of `GET /metrics`; a store outage is answered as every route answers it (503 with
 * Retry-After, `errorAnswer`); anything unexpected is left to the gateway.
 */
export const prometheusAnswer = async (): Promise<HttpAnswer> => {
  const [{ metricsDeps }, { metricsSummary }, { prometheusText }, { errorAnswer }] = await Promise.all([
    import('#functions/shared/wiring'),
    import('#app/use-cases/metrics/metrics-summary'),
    import('#app/prometheus'),
    import('#functions/shared/errors'),
  ]);
  const deps = metricsDeps();
  try {
    const summaries = await Promise.all([
      metricsSummary(deps, { window: '15m' }),
      metricsSummary(deps, { window: '1h' }),
    ]);
    return answer(200, 'text/plain; version=0.0.4; charset=utf-8', prometheusText(summaries));
  } catch (error) {
    const refusal = errorAnswer(error);
    if (refusal.unexpected) throw error;
    return answer(refusal.status, 'application/json', JSON.stringify(refusal.body), refusal.headers);
  }
};
