/**
 * Powertools Tracer, Logger and Metrics, created once per module load and shared by every
 * handler in the bundle. Log level, sampling and tracing switches come from the `POWERTOOLS_*`
 * environment variables, which Powertools reads itself.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { MiddlewareObj } from '@middy/core';

/** Service name on every log line, trace and metric. */
export const SERVICE_NAME = 'coord';

/** CloudWatch metrics namespace of the service. */
export const METRICS_NAMESPACE = 'Coord';

export const tracer = new Tracer({ serviceName: SERVICE_NAME });
export const logger = new Logger({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({ serviceName: SERVICE_NAME, namespace: METRICS_NAMESPACE });

/**
 * Options of every chain's `captureLambdaHandler`. Reply bodies carry secrets (agent, claim and
 * issued tokens) and X-Ray keeps what it records where anyone with trace access reads it, so no
 * chain records its reply; errors are still recorded.
 */
export const TRACE_OPTIONS = { captureResponse: false } as const;
/** How long before a Lambda timeout the buffered metrics are flushed. */
export const TIMEOUT_FLUSH_MARGIN_MS = 500;

/** The part of a Lambda context the metrics middleware reads. */
interface TimedContext {
  readonly getRemainingTimeInMillis?: () => number;
}

/**
 * Flushes the buffered metrics shortly before the invocation would time out: Lambda stops a
 * timed-out invocation without running `after`, so without this its metrics are lost.
 */
const flushBeforeTimeout = (): MiddlewareObj<unknown, unknown, Error, TimedContext> => {
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  return {
    before: (request) => {
      stop();
      const remaining = request.context.getRemainingTimeInMillis?.();
      if (remaining === undefined || remaining <= TIMEOUT_FLUSH_MARGIN_MS) return;
      timer = setTimeout(() => {
        timer = undefined;
        logger.warn('About to time out: flushing metrics', { remainingMs: TIMEOUT_FLUSH_MARGIN_MS });
        metrics.addMetric('timeoutsImminent', MetricUnit.Count, 1);
        metrics.publishStoredMetrics();
      }, remaining - TIMEOUT_FLUSH_MARGIN_MS);
      // A pending flush must not keep a local process alive.
      timer.unref();
    },
    after: stop,
    onError: stop,
  };
};

/**
 * The metrics middlewares every handler uses: EMF metrics flushed after each invocation, a
 * `ColdStart` metric on the first one of a container, and a flush just before a timeout.
 */
export const observeMetrics = (): MiddlewareObj<unknown, unknown, Error, TimedContext>[] => [
  logMetrics(metrics, { captureColdStartMetric: true }) as MiddlewareObj<
    unknown,
    unknown,
    Error,
    TimedContext
  >,
  flushBeforeTimeout(),
];

/** What a request is about, as X-Ray annotations (searchable: `annotation.work = "wi_..."`). */
export interface RequestFacts {
  readonly agent?: string;
  readonly work?: string;
  readonly team?: string;
}

const textOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/**
 * The agent, work item and team of a request: the calling agent (or the agent the path names),
 * the work item the path names, and the team of the caller's token or of the body or query.
 */
export const requestFacts = (
  path: string,
  input: {
    readonly principal?: { readonly agentId?: string; readonly team?: string };
    readonly params?: unknown;
    readonly body?: unknown;
    readonly query?: unknown;
  },
): RequestFacts => {
  const field = (source: unknown, key: string) =>
    typeof source === 'object' && source !== null
      ? textOf((source as Record<string, unknown>)[key])
      : undefined;
  const id = field(input.params, 'id');
  const agent = input.principal?.agentId ?? (path.startsWith('/v1/agents/{id}') ? id : undefined);
  const work = path.startsWith('/v1/work/{id}') ? id : undefined;
  const team = input.principal?.team ?? field(input.body, 'team') ?? field(input.query, 'team');
  return { ...(agent && { agent }), ...(work && { work }), ...(team && { team }) };
};

/** Puts the request's facts on the current trace segment as annotations. */
export const annotateTrace = (facts: RequestFacts): void => {
  for (const [key, value] of Object.entries(facts)) tracer.putAnnotation(key, value);
};
