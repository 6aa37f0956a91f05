/**
 * Claim routes report their latency and conflicts to the metrics rollups (a lost race leaves no
 * audit event for the stream consumer to count). The wrapper times the whole invocation, as a
 * client sees it, and never changes the answer: a failed metrics write is logged and dropped.
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { logger, metrics } from './observability';
import type { HttpEvent, HttpResult } from './request';
import { claimMetrics } from './wiring';

type Handler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

/** `handler`, with each call's latency (and a 409 as a conflict) recorded. */
export const withClaimMetrics = <H extends Handler>(handler: H): H =>
  (async (event: HttpEvent, context: Context) => {
    const started = Date.now();
    const result = await handler(event, context);
    const latencyMs = Date.now() - started;
    // Published at once: the handler's own metrics were flushed when it returned.
    metrics.singleMetric().addMetric('claim.latency', MetricUnit.Milliseconds, latencyMs);
    const recorder = claimMetrics();
    recorder.record(new Date(started), latencyMs, result.statusCode === 409);
    // Metrics are estimates: an unavailable store must not fail the claim that already happened.
    await recorder
      .flush(new Date())
      .catch((error: unknown) => logger.warn('Claim metrics not written', { error }));
    return result;
  }) as H;
