/**
 * The local stand-in for Lambda's SQS event source mapping: long-polls one queue, gathers a
 * batch the way the mapping does (up to `batchSize` messages, waiting at most the batching
 * window once the first one arrived), invokes the consumer handler with an SQS event, and
 * deletes the messages it did not report in `batchItemFailures`. Failed messages are left alone:
 * they reappear after the queue's visibility timeout and reach its DLQ after `maxReceiveCount`
 * receives, as on AWS. A handler that throws or outlasts its timeout fails the whole batch.
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { lambdaContext } from '../api-gateway-event';
import type { InvocationObservation } from '../otel';
import { withTimeout } from '../with-timeout';

/** A Lambda handler for SQS events (a consumer that reports batch item failures). */
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

/** Options for {@link startSqsPoller}. */
export interface SqsPollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** Resolves the handler (once; a failed load is tried again on the next batch). */
  readonly loadHandler: () => Promise<SqsHandler>;
  /** Most messages per invocation (the mapping's `BatchSize`). */
  readonly batchSize: number;
  /** How long to keep gathering once a message arrived (the mapping's `MaximumBatchingWindowInSeconds`). */
  readonly maxBatchingWindowMs: number;
  /** Function name in the Lambda context and in messages. @default `coord-local-<queue name>` */
  readonly functionName?: string;
  /** @default us-east-1 */
  readonly region?: string;
  /**
   * An invocation running longer fails its whole batch (its messages come back after the
   * visibility timeout anyway). @default the queue's visibility timeout
   */
  readonly timeoutMs?: number;
  /** Long-poll wait of a receive while the queue is idle, 0..20. @default 20 */
  readonly waitTimeSeconds?: number;
  /** Told about failed invocations and unreachable queues. @default writes to stderr */
  readonly onError?: (error: unknown) => void;
  /** Told after every invocation: how many messages it got and how many failed. @default nothing */
  readonly onBatch?: (outcome: { readonly received: number; readonly failed: number }) => void;
  /** Watches every invocation (e.g. as a trace span, `../otel`); it runs inside `within`. @default none */
  readonly observe?: (records: readonly SQSRecord[]) => InvocationObservation;
}

/** A running poller. */
export interface SqsPoller {
  /** Stops receiving, lets a running invocation finish and delete its messages, then resolves. Safe to call twice. */
  stop(): Promise<void>;
}

/** SQS answers at most this many messages per receive, and takes this many per delete batch. */
const SQS_MAX_MESSAGES = 10;
/** Pause between short polls while a batching window under a second is still open. */
const WINDOW_POLL_MS = 50;
/** Pause after the queue could not be reached, before trying again. */
const RETRY_PAUSE_MS = 1000;

const pause = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

const messageAttributesOf = (message: Message): SQSMessageAttributes =>
  Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
      name,
      {
        dataType: value.DataType ?? 'String',
        ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
        ...(value.BinaryValue === undefined
          ? {}
          : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
        stringListValues: value.StringListValues ?? [],
        binaryListValues: (value.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
      },
    ]),
  );

/** A received message as Lambda's SQS event presents it. */
export const sqsRecordOf = (message: Message, queueArn: string, region: string): SQSRecord => {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? '000000000000',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: messageAttributesOf(message),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
};

const reportToStderr = (queueUrl: string) => (error: unknown) => {
  console.error(`[sqs-poller] ${queueUrl}:`, error);
};

/** Starts polling at once; polling goes on until `stop()`. */
export const startSqsPoller = (options: SqsPollerOptions): SqsPoller => {
  const { sqs, queueUrl, batchSize, maxBatchingWindowMs } = options;
  const region = options.region ?? 'us-east-1';
  const functionName = options.functionName ?? `coord-local-${queueUrl.split('/').pop() ?? 'consumer'}`;
  const waitTimeSeconds = options.waitTimeSeconds ?? 20;
  const onError = options.onError ?? reportToStderr(queueUrl);
  const stopping = new AbortController();
  const { signal } = stopping;

  let handler: Promise<SqsHandler> | undefined;
  const handlerOf = (): Promise<SqsHandler> => {
    if (!handler) {
      handler = options.loadHandler();
      handler.catch(() => {
        handler = undefined;
      });
    }
    return handler;
  };

  const describeQueue = async (): Promise<{ arn: string; visibilityTimeoutMs: number }> => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['QueueArn', 'VisibilityTimeout'],
      }),
      { abortSignal: signal },
    );
    const arn = Attributes?.QueueArn;
    if (!arn) throw new Error(`GetQueueAttributes returned no ARN for ${queueUrl}`);
    return { arn, visibilityTimeoutMs: Number(Attributes?.VisibilityTimeout ?? '30') * 1000 };
  };

  const receive = async (max: number, waitSeconds: number): Promise<Message[]> => {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(SQS_MAX_MESSAGES, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: signal },
    );
    return Messages ?? [];
  };

  /** Waits for a first message, then gathers until the batch is full or the window closes. */
  const gather = async (): Promise<Message[]> => {
    const batch = await receive(batchSize, waitTimeSeconds);
    if (batch.length === 0) return batch;
    const windowEnd = Date.now() + maxBatchingWindowMs;
    while (batch.length < batchSize && !signal.aborted) {
      const leftMs = windowEnd - Date.now();
      if (leftMs <= 0) break;
      // Whole seconds only, rounded down, so a long poll never runs past the window.
      const waitSeconds = Math.floor(leftMs / 1000);
      let more: Message[];
      try {
        more = await receive(batchSize - batch.length, waitSeconds);
      } catch (error) {
        // Stopping: hand over what was gathered rather than leave it invisible until its timeout.
        if (signal.aborted) break;
        throw error;
      }
      batch.push(...more);
      if (more.length === 0 && waitSeconds === 0) await pause(Math.min(WINDOW_POLL_MS, leftMs), signal);
    }
    return batch;
  };

  /** The ids the invocation failed: its `batchItemFailures`, or all of them when it threw or timed out. */
  const invoke = async (event: SQSEvent, timeoutMs: number): Promise<Set<string>> => {
    const all = new Set(event.Records.map((record) => record.messageId));
    const observation = options.observe?.(event.Records);
    try {
      const run = async () => (await handlerOf())(event, lambdaContext(functionName, timeoutMs, region));
      const result = await withTimeout(observation ? observation.within(run) : run(), timeoutMs);
      if (result === 'timed_out') {
        const error = new Error(
          `${functionName} did not finish within ${timeoutMs} ms; its batch comes back`,
        );
        observation?.ended({ error, failed: all });
        onError(error);
        return all;
      }
      const failed = new Set((result?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
      observation?.ended({ failed });
      return failed;
    } catch (error) {
      observation?.ended({ error, failed: all });
      onError(error);
      return all;
    }
  };

  const deleteMessages = async (messages: readonly Message[]): Promise<void> => {
    for (let start = 0; start < messages.length; start += SQS_MAX_MESSAGES) {
      const chunk = messages.slice(start, start + SQS_MAX_MESSAGES);
      // Not aborted on stop: the messages were handled, so they must go.
      const { Failed } = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
      if (Failed && Failed.length > 0) {
        onError(new Error(`DeleteMessageBatch left ${Failed.length} handled message(s) on ${queueUrl}`));
      }
    }
  };

  const loop = async (): Promise<void> => {
    let queue: { arn: string; visibilityTimeoutMs: number } | undefined;
    while (!signal.aborted) {
      try {
        queue ??= await describeQueue();
        const { arn, visibilityTimeoutMs } = queue;
        const batch = await gather();
        if (batch.length === 0) continue;
        const event: SQSEvent = { Records: batch.map((message) => sqsRecordOf(message, arn, region)) };
        const failed = await invoke(event, options.timeoutMs ?? visibilityTimeoutMs);
        await deleteMessages(batch.filter((message) => !failed.has(message.MessageId ?? '')));
        options.onBatch?.({ received: batch.length, failed: failed.size });
      } catch (error) {
        if (signal.aborted) break;
        onError(error);
        await pause(RETRY_PAUSE_MS, signal);
      }
    }
  };

  const running = loop();
  let stopped: Promise<void> | undefined;
  return {
    stop: () => {
      stopped ??= (async () => {
        stopping.abort();
        await running;
      })();
      return stopped;
    },
  };
};
