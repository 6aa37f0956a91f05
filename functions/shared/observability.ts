/**
 * Powertools Tracer, Logger and Metrics, created once per module load and shared by every
 * handler in the bundle. Log level, sampling and tracing switches come from the `POWERTOOLS_*`
 * environment variables, which Powertools reads itself.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { MiddlewareObj } from '@middy/core';
import { MESSAGE_ORIGIN_ATTRIBUTES, type RequestFacts } from './request-facts';

export { MESSAGE_ORIGIN_ATTRIBUTES, type RequestFacts, requestFacts } from './request-facts';

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
const flushBeforeTimeout = (target: Metrics): MiddlewareObj<unknown, unknown, Error, TimedContext> => {
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
        target.addMetric('timeoutsImminent', MetricUnit.Count, 1);
        target.publishStoredMetrics();
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
 * @param target the metrics object the handler records on. @default the shared {@link metrics}
 */
export const observeMetrics = (
  target: Metrics = metrics,
): MiddlewareObj<unknown, unknown, Error, TimedContext>[] => [
  logMetrics(target, { captureColdStartMetric: true }) as MiddlewareObj<
    unknown,
    unknown,
    Error,
    TimedContext
  >,
  flushBeforeTimeout(target),
];

/**
 * A metrics object of its own whose every metric carries `name = value`. For handlers whose
 * invocations can run side by side in one process (the local runtime runs every stream consumer
 * in one): on the shared object, one invocation's `addDimension` would overwrite another's
 * (Powertools warns "Dimension ... has already been added") and its metrics would be published
 * under the other's dimension.
 */
export const dimensionedMetrics = (name: string, value: string): Metrics =>
  new Metrics({
    serviceName: SERVICE_NAME,
    namespace: METRICS_NAMESPACE,
    defaultDimensions: { [name]: value },
  });

/** Puts the request's facts on the current trace segment as annotations. */
export const annotateTrace = (facts: RequestFacts): void => {
  for (const [key, value] of Object.entries(facts)) tracer.putAnnotation(key, value);
};

/**
 * Where a queue message comes from: the id of the request (or scheduled run) that sent it and
 * the X-Ray trace header of the segment it was sent from. Producers put both in the message's
 * attributes (`MESSAGE_ORIGIN_ATTRIBUTES`) and consumers log and annotate them, so one request id
 * leads from the HTTP answer's `x-request-id` to the consumer's log lines and trace.
 */
export interface MessageOrigin {
  readonly requestId?: string;
  readonly traceHeader?: string;
}

// Per invocation, not per module: the local runtime runs many invocations of one handler module
// side by side in one process, so a module variable would hand one request's id to another's
// messages. AsyncLocalStorage follows each invocation through its awaits.
const origins = new AsyncLocalStorage<MessageOrigin>();

/** Runs `work` with `origin` as the origin of every message it sends. */
export const withMessageOrigin = <T>(origin: MessageOrigin, work: () => T): T => origins.run(origin, work);

/** The trace header of the current segment (`Root=...;Parent=...;Sampled=...`), while tracing. */
const currentTraceHeader = (): string | undefined => {
  if (!tracer.isTracingEnabled()) return undefined;
  const segment = tracer.getSegment() as
    | { readonly id?: string; readonly trace_id?: string; readonly segment?: { readonly trace_id?: string } }
    | undefined;
  const root = segment?.trace_id ?? segment?.segment?.trace_id ?? tracer.getRootXrayTraceId();
  if (!root || !segment?.id) return undefined;
  return `Root=${root};Parent=${segment.id};Sampled=${tracer.isTraceSampled() ? 1 : 0}`;
};

/** The origin of a message sent now: the running invocation's request id and trace header. */
export const messageOrigin = (): MessageOrigin => {
  const requestId = origins.getStore()?.requestId;
  const traceHeader = currentTraceHeader();
  return { ...(requestId && { requestId }), ...(traceHeader && { traceHeader }) };
};

/** The SQS message attributes of the current {@link messageOrigin}, as a publisher sends them. */
export const messageOriginAttributes = (): Readonly<Record<string, string>> => {
  const origin = messageOrigin();
  return Object.fromEntries(
    Object.entries(MESSAGE_ORIGIN_ATTRIBUTES).flatMap(([key, attribute]) => {
      const value = origin[key as keyof MessageOrigin];
      return value ? [[attribute, value]] : [];
    }),
  );
};

/** The origin a received message's attributes name (either part may be missing). */
export const originOfAttributes = (
  attributes: Readonly<Record<string, { readonly stringValue?: string } | undefined>> | undefined,
): MessageOrigin => {
  const requestId = attributes?.[MESSAGE_ORIGIN_ATTRIBUTES.requestId]?.stringValue;
  const traceHeader = attributes?.[MESSAGE_ORIGIN_ATTRIBUTES.traceHeader]?.stringValue;
  return { ...(requestId && { requestId }), ...(traceHeader && { traceHeader }) };
};

/**
 * Work items per status across every team (`queue.depth`, dimension `status`), from a queue
 * depth snapshot by team and status: one set per status, so the dashboard graphs each status
 * as its own line. Teams are summed: a team dimension would make a metric per team, which costs
 * per metric and grows without bound.
 */
export const recordQueueDepth = (
  byTeam: Readonly<Record<string, Readonly<Record<string, number>>>>,
): void => {
  const byStatus = new Map<string, number>();
  for (const statuses of Object.values(byTeam)) {
    for (const [status, count] of Object.entries(statuses)) {
      byStatus.set(status, (byStatus.get(status) ?? 0) + count);
    }
  }
  for (const [status, count] of byStatus) {
    const single = metrics.singleMetric();
    single.addDimension('status', status);
    single.addMetric('queue.depth', MetricUnit.Count, count);
  }
};

/**
 * How late heartbeats are applied (`heartbeat.lag`): from the time an agent's heartbeat was
 * accepted (`at`) to now, for the oldest of those applied together. A growing lag means the
 * heartbeats queue is backing up, and agents come close to being marked offline wrongly.
 */
export const recordHeartbeatLag = (target: Metrics, acceptedAt: readonly string[], now: Date): void => {
  const oldest = Math.min(...acceptedAt.map((at) => Date.parse(at)).filter((at) => !Number.isNaN(at)));
  if (!Number.isFinite(oldest)) return;
  target.addMetric('heartbeat.lag', MetricUnit.Milliseconds, Math.max(0, now.getTime() - oldest));
};
