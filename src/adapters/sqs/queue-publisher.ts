/**
 * Sending JSON messages to one SQS queue. Every SDK failure is translated here: throttling,
 * timeouts, 5xx and network errors become `UnavailableError` (the caller may retry, the HTTP API
 * answers 503), anything else a `QueueError` naming the queue (a missing queue or permission is
 * a deployment fault a retry will not fix).
 */
import { type MessageAttributeValue, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { UnavailableError } from '#core/errors';
import { awsErrorName, isTransientAwsError } from '../aws-errors';
import { type ClientOptions, clientConfig } from '../client-config';

/**
 * Options of {@link createSqsClient}. Long polls wait up to 20 s on purpose, so a poller passes a
 * `requestTimeoutMs` above that.
 */
export type SqsClientOptions = ClientOptions;

/** An SQS client with keep-alive connections and bounded connect and request times. */
export const createSqsClient = (options: SqsClientOptions): SQSClient => new SQSClient(clientConfig(options));

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

/** `attributes`' current values as SQS message attributes; `undefined` when there are none. */
export const sqsMessageAttributes = (
  attributes: MessageAttributesSource | undefined,
): Record<string, MessageAttributeValue> | undefined => {
  const entries = Object.entries(attributes?.() ?? {}).filter(([, value]) => value !== '');
  return entries.length === 0
    ? undefined
    : Object.fromEntries(entries.map(([name, value]) => [name, { DataType: 'String', StringValue: value }]));
};

/**
 * A publisher sending each message as one JSON body to `queueUrl`, with the message attributes
 * `attributes` gives at the time of sending.
 */
export const createQueuePublisher = <T>(
  client: SQSClient,
  queueUrl: string,
  attributes?: MessageAttributesSource,
): QueuePublisher<T> => ({
  send: async (message) => {
    try {
      const MessageAttributes = sqsMessageAttributes(attributes);
      await client.send(
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
