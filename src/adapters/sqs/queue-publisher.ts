/**
 * Sending JSON messages to one SQS queue. Every SDK failure is translated here: throttling,
 * timeouts, 5xx and network errors become `UnavailableError` (the caller may retry, the HTTP API
 * answers 503), anything else a `QueueError` naming the queue (a missing queue or permission is
 * a deployment fault a retry will not fix).
 */
import type { MessageAttributeValue, SQSClient } from '@aws-sdk/client-sqs';
import { TraceFlags, trace } from '@opentelemetry/api';
import { UnavailableError } from '#core/errors';
import { awsErrorName, isTransientAwsError } from '../aws-errors';
import { type ClientOptions, clientConfig } from '../client-config';
import type { LazyClient } from '../lazy-client';

/** The SQS client package, loaded on first use (see `LazyClient`). */
export const sqsSdk = () => import('@aws-sdk/client-sqs');

/**
 * Options of {@link createSqsClient}. Long polls wait up to 20 s on purpose, so a poller passes a
 * `requestTimeoutMs` above that.
 */
export type SqsClientOptions = ClientOptions;

/** An SQS client with keep-alive connections and bounded connect and request times. */
export const createSqsClient = async (options: SqsClientOptions): Promise<SQSClient> =>
  new (await sqsSdk()).SQSClient(clientConfig(options));

/** The queue refused a message for a reason a retry will not fix; `cause` is the SDK error. */
export class QueueError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QueueError';
  }
}

/** The error a publisher throws for an SDK failure. */
export const translateQueueError = (error: unknown, queueUrl: string): Error => {
  const name = awsErrorName(error);
  if (isTransientAwsError(error)) {
    return new UnavailableError('The queue is busy or unreachable; retry shortly.', { cause: error });
  }
  return new QueueError(`SQS SendMessage to ${queueUrl} failed${name ? ` (${name})` : ''}.`, {
    cause: error,
  });
};

/** Sends messages of type `T` to one queue. */
export interface QueuePublisher<T> {
  /** @throws UnavailableError when SQS is busy or unreachable; QueueError otherwise. */
  send(message: T): Promise<void>;
}

/**
 * String attributes put on every message sent, read at each send (the sending request's id and
 * trace header): consumers find them in the record's `messageAttributes`.
 */
export type MessageAttributesSource = () => Readonly<Record<string, string>>;

/** SQS takes at most this many message attributes per message. */
export const SQS_MAX_MESSAGE_ATTRIBUTES = 10;

/** The message attribute carrying the W3C trace context of the span a message was sent from. */
export const TRACEPARENT_ATTRIBUTE = 'traceparent';

/**
 * The W3C `traceparent` of the active OpenTelemetry span, or undefined when none is active (no
 * OpenTelemetry SDK is running: the API's no-op answers, and nothing is built).
 */
export const activeTraceparent = (): string | undefined => {
  const span = trace.getActiveSpan()?.spanContext();
  if (!span || !trace.isSpanContextValid(span)) return undefined;
  const sampled = (span.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? '01' : '00';
  return `00-${span.traceId}-${span.spanId}-${sampled}`;
};

/**
 * `attributes`' current values as SQS message attributes, with the active span's `traceparent`
 * when there is one and room for it (SQS takes ten attributes); `undefined` when there are none.
 */
export const sqsMessageAttributes = (
  attributes: MessageAttributesSource | undefined,
): Record<string, MessageAttributeValue> | undefined => {
  const entries = Object.entries(attributes?.() ?? {}).filter(([, value]) => value !== '');
  const room = entries.length < SQS_MAX_MESSAGE_ATTRIBUTES;
  const traceparent =
    room && !entries.some(([name]) => name === TRACEPARENT_ATTRIBUTE) ? activeTraceparent() : undefined;
  if (traceparent) entries.push([TRACEPARENT_ATTRIBUTE, traceparent]);
  return entries.length === 0
    ? undefined
    : Object.fromEntries(entries.map(([name, value]) => [name, { DataType: 'String', StringValue: value }]));
};

/**
 * A publisher sending each message as one JSON body to `queueUrl`, with the message attributes
 * `attributes` gives at the time of sending.
 */
export const createQueuePublisher = <T>(
  client: LazyClient<SQSClient>,
  queueUrl: string,
  attributes?: MessageAttributesSource,
): QueuePublisher<T> => ({
  send: async (message) => {
    try {
      const MessageAttributes = sqsMessageAttributes(attributes);
      const [{ SendMessageCommand }, sqs] = await Promise.all([sqsSdk(), client()]);
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(message),
          ...(MessageAttributes && { MessageAttributes }),
        }),
      );
    } catch (error) {
      throw translateQueueError(error, queueUrl);
    }
  },
});
