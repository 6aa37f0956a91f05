/**
 * The one middy chain every SQS consumer uses. It starts like the HTTP chain (trace, log context,
 * metrics, so they cover every later step), then hands the batch to Powertools
 * `processPartialResponse`: each message succeeds or fails on its own, and the answer lists the
 * failed ones (`batchItemFailures`), which SQS delivers again and dead-letters after the queue's
 * `maxReceiveCount`. The event source mapping must report batch item failures (CDK sets it, the
 * local poller honours it).
 *
 * What fails a message, and what does not:
 * - a body that is not JSON or does not match the queue's message schema fails it: nothing can
 *   make it readable, so it goes on to the DLQ, where its depth alarm tells an operator;
 * - a `DomainError` from handling is permanent (e.g. the agent does not exist): it is logged and
 *   counted, and the message is done, since a retry would meet the same answer;
 * - a `TransientError` (`UnavailableError`, `RateLimitedError`: "later"), and any other error,
 *   fails the message, and SQS retries it after the visibility timeout.
 *
 * Messages sharing a `groupBy` key are handled by one call per batch, which is how a consumer
 * coalesces them (one update per agent for heartbeats); they succeed or fail together.
 *
 * Each message's `requestId` attribute (the request that sent it, see `MessageOrigin`) is on the
 * log lines about it and annotates its group's trace subsegment, with the group's agent, work
 * item and team.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { TSchema } from '@sinclair/typebox';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DomainError } from '#core/errors';
import {
  dimensionedMetrics,
  logger,
  type MessageOrigin,
  observeMetrics,
  originOfAttributes,
  type RequestFacts,
  TRACE_OPTIONS,
  tracer,
  withMessageOrigin,
} from './observability';
import { bodyCheck } from './validation';

/** A message body nobody can read: not JSON, or not of the queue's message schema. */
export class MalformedMessageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MalformedMessageError';
  }
}

/** What a queue consumer's `handle` is given besides its messages. */
export interface QueueConsumerContext {
  /** The queue's own metrics object (dimension `queue`), flushed after the invocation. */
  readonly metrics: Metrics;
}

/** What a queue consumer does with the messages of one batch. */
export interface QueueConsumerSpec<M> {
  /** The queue's id (`heartbeats`): the `queue` key of log lines and the metrics dimension. */
  readonly queue: string;
  /** Every message body must match this schema (its static type is `M`). */
  readonly schema: TSchema;
  /**
   * Messages with the same key are handled by one `handle` call per batch.
   * @default every message alone
   */
  readonly groupBy?: (message: M) => string;
  /**
   * Handles the messages of one group, given with their records in the same order (a consumer
   * that changes a message's visibility needs its receipt); see the module comment for what its
   * errors mean.
   */
  readonly handle: (
    messages: readonly M[],
    records: readonly SQSRecord[],
    consumer: QueueConsumerContext,
  ) => Promise<unknown>;
  /**
   * The agent, work item and team a message is about: annotations of its group's trace
   * subsegment (searchable: `annotation.agent = "ag_..."`).
   * @default no annotations but the request id
   */
  readonly facts?: (message: M) => RequestFacts;
}

/** An SQS consumer's Lambda handler. */
export type QueueHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** Whether a retry would meet the same answer (see the module comment). */
const isPermanent = (error: unknown): boolean => error instanceof DomainError;

type Parsed<M> = { readonly message: M; readonly key: string } | { readonly error: MalformedMessageError };

const parser = <M>(spec: QueueConsumerSpec<M>) => {
  const check = bodyCheck(spec.schema);
  return (record: SQSRecord): Parsed<M> => {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch (cause) {
      return { error: new MalformedMessageError(`Message ${record.messageId} is not JSON.`, { cause }) };
    }
    try {
      const message = check(body) as M;
      return { message, key: spec.groupBy ? spec.groupBy(message) : record.messageId };
    } catch (cause) {
      return {
        error: new MalformedMessageError(
          `Message ${record.messageId} is not a ${spec.queue} message: ${(cause as Error).message}`,
          { cause },
        ),
      };
    }
  };
};

/** The origin a record's message attributes carry (its sender's request id and trace header). */
const originOf = (record: SQSRecord): MessageOrigin => originOfAttributes(record.messageAttributes);

/** The distinct request ids of a group's records, in order. */
const requestIdsOf = (records: readonly SQSRecord[]): string[] => [
  ...new Set(records.flatMap((record) => originOf(record).requestId ?? [])),
];

/**
 * One group's `handle`, in a trace subsegment of its own annotated with the request ids and the
 * group's facts: a batch holds messages of many requests and agents, which one annotation on
 * the invocation's segment could not tell apart. Messages the handling sends carry the first
 * sender's request id onward.
 */
const handleTraced = async <M>(
  spec: QueueConsumerSpec<M>,
  key: string,
  messages: readonly M[],
  records: readonly SQSRecord[],
  requestIds: readonly string[],
  metrics: Metrics,
): Promise<unknown> => {
  const [requestId] = requestIds;
  const handle = () =>
    withMessageOrigin(requestId ? { requestId } : {}, () => spec.handle(messages, records, { metrics }));
  const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  if (!parent) return handle();
  const subsegment = parent.addNewSubsegment(`### ${spec.queue} ${key}`);
  const facts = Object.assign({}, ...messages.map((message) => spec.facts?.(message) ?? {})) as RequestFacts;
  for (const [name, value] of Object.entries({ ...facts, ...(requestId && { requestId }) })) {
    subsegment.addAnnotation(name, value);
  }
  try {
    return await handle();
  } catch (error) {
    subsegment.addError(error as Error);
    throw error;
  } finally {
    subsegment.close();
  }
};

/**
 * Handles one batch: parses every record, then each group once, each record by its group's outcome.
 * The message schema is compiled here, when the module loads, not on the first batch.
 */
const batchHandler = <M>(spec: QueueConsumerSpec<M>, metrics: Metrics) => {
  const parse = parser(spec);
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const parsed = new Map(event.Records.map((record) => [record.messageId, parse(record)]));
    const groups = new Map<string, M[]>();
    const groupRecords = new Map<string, SQSRecord[]>();
    for (const record of event.Records) {
      const entry = parsed.get(record.messageId);
      if (!entry || !('message' in entry)) continue;
      groups.set(entry.key, [...(groups.get(entry.key) ?? []), entry.message]);
      groupRecords.set(entry.key, [...(groupRecords.get(entry.key) ?? []), record]);
    }
    const outcomes = new Map<string, Promise<void>>();
    const outcomeOf = (key: string): Promise<void> => {
      let outcome = outcomes.get(key);
      if (!outcome) {
        const messages = groups.get(key) ?? [];
        const records = groupRecords.get(key) ?? [];
        const requestIds = requestIdsOf(records);
        outcome = handleTraced(spec, key, messages, records, requestIds, metrics).then(
          () => {
            logger.debug('Queue messages handled', { key, count: messages.length, requestIds });
            metrics.addMetric('queueMessagesHandled', MetricUnit.Count, messages.length);
          },
          (error: unknown) => {
            if (!isPermanent(error)) throw error;
            logger.warn('Queue messages dropped: their handling was refused for good', {
              error,
              key,
              requestIds,
            });
            metrics.addMetric('queueMessagesDropped', MetricUnit.Count, messages.length);
          },
        );
        outcomes.set(key, outcome);
      }
      return outcome;
    };
    const handleRecord = async (record: SQSRecord): Promise<void> => {
      const entry = parsed.get(record.messageId);
      if (!entry) throw new Error(`Message ${record.messageId} was not parsed`);
      try {
        if ('error' in entry) throw entry.error;
        await outcomeOf(entry.key);
      } catch (error) {
        logger.error('Queue message failed; SQS will deliver it again', {
          error,
          messageId: record.messageId,
          ...originOf(record),
          receiveCount: record.attributes.ApproximateReceiveCount,
        });
        metrics.addMetric('queueMessagesFailed', MetricUnit.Count, 1);
        throw error;
      }
    };
    // A batch whose every message failed answers with every id instead of throwing: these are
    // per-message failures, not a fault of the function.
    const answer = await processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), {
      context,
      throwOnFullBatchFailure: false,
    });
    // One line per batch (not per message): which requests' messages it held, and how many failed.
    logger.info('Queue batch done', {
      received: event.Records.length,
      failed: answer.batchItemFailures.length,
      requestIds: requestIdsOf(event.Records),
    });
    return answer;
  };
};

/**
 * A queue consumer's handler: `export const handler = queueConsumer({ queue, schema, handle })`.
 */
export const queueConsumer = <M>(spec: QueueConsumerSpec<M>): QueueHandler => {
  // The queue's own metrics object (`queue` a default dimension), not the shared one: the local
  // runtime runs several queues' batches side by side in one process, and one batch's
  // `addDimension` on a shared object would relabel the other's metrics.
  const metrics = dimensionedMetrics('queue', spec.queue);
  return middy<SQSEvent, SQSBatchResponse>()
    .use(captureLambdaHandler(tracer, TRACE_OPTIONS))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(observeMetrics(metrics))
    .use({
      before: () => {
        logger.appendKeys({ queue: spec.queue });
      },
    })
    .handler(batchHandler(spec, metrics));
};
