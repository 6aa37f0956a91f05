/**
 * Powertools Tracer, Logger and Metrics, created once per module load and shared by every
 * handler in the bundle. Log level, sampling and tracing switches come from the `POWERTOOLS_*`
 * environment variables, which Powertools reads itself.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

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
