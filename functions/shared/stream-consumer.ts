/**
 * The one middy chain every DynamoDB stream consumer uses. It starts like the other chains
 * (trace, log context, metrics), keeps the records that are audit events (new rows of the Events
 * table; other rows and removals are skipped), and hands them, in stream order, to the consumer.
 *
 * What fails a batch: an `UnavailableError` or any unexpected error fails it from its first
 * record (`batchItemFailures`), so the event source mapping retries it (at-least-once: consumers
 * tolerate seeing an event twice) and gives it up after the mapping's retry attempts. A
 * `DomainError` that is not "later" is permanent: logged, counted, and the batch is done.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { DomainError, RateLimitedError, UnavailableError } from '#core/errors';
import type { AuditEvent } from '#core/model';
import { dimensionedMetrics, logger, observeMetrics, TRACE_OPTIONS, tracer } from './observability';
import { auditEventOfStreamRecord } from './wiring';

/** What a stream consumer does with the audit events of one batch. */
export interface StreamConsumerSpec {
  /** The consumer's id (`broadcaster`): the `consumer` key of log lines and the metrics dimension. */
  readonly consumer: string;
  /** Handles the batch's audit events, in stream order; see the module comment for its errors. */
  readonly handle: (events: readonly AuditEvent[]) => Promise<unknown>;
}

/** A stream consumer's Lambda handler. */
export type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

const isPermanent = (error: unknown): boolean =>
  error instanceof DomainError &&
  !(error instanceof UnavailableError) &&
  !(error instanceof RateLimitedError);

const eventsOf = (records: readonly DynamoDBRecord[]): AuditEvent[] =>
  records.flatMap((record) => {
    const event = record.eventName === 'INSERT' ? auditEventOfStreamRecord(record) : undefined;
    return event ? [event] : [];
  });

/** A stream consumer's handler: `export const handler = streamConsumer({ consumer, handle })`. */
export const streamConsumer = (spec: StreamConsumerSpec): StreamHandler => {
  // Each consumer its own metrics object: the local runtime runs consumers side by side in one
  // process, and on a shared object their `consumer` dimensions overwrote each other.
  const metrics = dimensionedMetrics('consumer', spec.consumer);
  return middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
    .use(captureLambdaHandler(tracer, TRACE_OPTIONS))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(observeMetrics(metrics))
    .use({
      before: (request) => {
        logger.appendKeys({ consumer: spec.consumer });
        metrics.addMetric('streamRecords', MetricUnit.Count, request.event.Records.length);
      },
    })
    .handler(async (event) => {
      const events = eventsOf(event.Records);
      if (events.length === 0) return { batchItemFailures: [] };
      return spec.handle(events).then(
        () => {
          metrics.addMetric('streamEventsHandled', MetricUnit.Count, events.length);
          return { batchItemFailures: [] };
        },
        (error: unknown) => {
          if (isPermanent(error)) {
            logger.warn('Stream events dropped: their handling was refused for good', { error });
            metrics.addMetric('streamEventsDropped', MetricUnit.Count, events.length);
            return { batchItemFailures: [] };
          }
          logger.error('Stream batch failed; it will be retried', { error });
          metrics.addMetric('streamBatchesFailed', MetricUnit.Count, 1);
          const first = event.Records[0]?.dynamodb?.SequenceNumber;
          return { batchItemFailures: first === undefined ? [] : [{ itemIdentifier: first }] };
        },
      );
    });
};
