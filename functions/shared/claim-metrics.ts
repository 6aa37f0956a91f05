/**
 * Claim routes report their latency and conflicts to the metrics rollups (a lost race leaves no
 * audit event for the stream consumer to count). The wrapper times the whole invocation, as a
 * client sees it, and never changes the answer: a failed metrics write is logged and dropped.
 * Each metric here is published at once on a single-metric object of its own, never on the
 * shared one: invocations of one handler can overlap in one process (the local runtime), and a
 * dimension added to the shared object would relabel another invocation's metrics.
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { REPLAYED_HEADER } from './idempotency';
import { logger, metrics } from './observability';
import type { HttpEvent, HttpResult } from './request';
import { claimMetrics } from './wiring';

type Handler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

/**
 * The races one claim-next lost before it ended (0 included, so the average is lost races per
 * claim-next): items another agent took between the read and the write. They end in a claim,
 * a 204 or a 429, never in a 409, so the `conflicts` metric does not count them.
 */
export const countLostRaces = (count: number): void => {
  metrics.singleMetric().addMetric('claim.lostRaces', MetricUnit.Count, count);
};

/** Whether `result` is a claim made by this call: a 200, not a 204 "nothing fits" nor a replay. */
const isNewClaim = (result: HttpResult): boolean =>
  result.statusCode === 200 && result.headers?.[REPLAYED_HEADER] === undefined;

/** `handler` of route `route`, with each call's latency (and a 409 as a conflict) recorded. */
export const withClaimMetrics = <H extends Handler>(route: string, handler: H): H =>
  (async (event: HttpEvent, context: Context) => {
    const started = Date.now();
    const result = await handler(event, context);
    const latencyMs = Date.now() - started;
    // Published at once: the handler's own metrics were flushed when it returned.
    metrics.singleMetric().addMetric('claim.latency', MetricUnit.Milliseconds, latencyMs);
    if (isNewClaim(result)) {
      const single = metrics.singleMetric();
      single.addDimension('route', route);
      single.addMetric('claim.successes', MetricUnit.Count, 1);
    }
    const recorder = claimMetrics();
    recorder.record(new Date(started), latencyMs, result.statusCode === 409);
    // Metrics are estimates: an unavailable store must not fail the claim that already happened.
    await recorder
      .flush(new Date())
      .catch((error: unknown) => logger.warn('Claim metrics not written', { error }));
    return result;
  }) as H;
