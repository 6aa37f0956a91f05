/**
 * Sending JSON messages to one SQS queue. Every SDK failure is translated here: throttling,
 * timeouts, 5xx and network errors become `UnavailableError` (the caller may retry, the HTTP API
 * answers 503), anything else a `QueueError` naming the queue (a missing queue or permission is
 * a deployment fault a retry will not fix).
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
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

/** A publisher sending each message as one JSON body to `queueUrl`. */
export const createQueuePublisher = <T>(client: SQSClient, queueUrl: string): QueuePublisher<T> => ({
  send: async (message) => {
    try {
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }));
    } catch (error) {
      throw translateQueueError(error, queueUrl);
    }
  },
});
