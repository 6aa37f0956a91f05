/**
 * The `webhooks` queue: delivery requests sent in batches of ten, and the per-message delay of a
 * retry (ChangeMessageVisibility on the receipt of the attempt that failed).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { UnavailableError } from '#core/errors';
import type { DeliveryQueue, DeliveryRequest } from '#core/webhooks/ports';
import type { LazyClient } from '../lazy-client';
import {
  type MessageAttributesSource,
  sqsMessageAttributes,
  sqsSdk,
  translateQueueError,
} from './queue-publisher';

/** SQS takes at most this many messages per batch. */
const SQS_BATCH = 10;

/**
 * The queue at `queueUrl`; without a URL every call fails naming `variable`. Every message sent
 * carries the attributes `attributes` gives at the time of sending.
 */
export const createDeliveryQueue = (
  client: LazyClient<SQSClient>,
  queueUrl: string | undefined,
  variable: string,
  attributes?: MessageAttributesSource,
): DeliveryQueue => {
  const url = (): string => {
    if (queueUrl === undefined) throw new Error(`${variable} is not set: there is no webhooks queue.`);
    return queueUrl;
  };
  return {
    enqueue: async (requests: readonly DeliveryRequest[]) => {
      for (let start = 0; start < requests.length; start += SQS_BATCH) {
        const chunk = requests.slice(start, start + SQS_BATCH);
        let failed: number;
        const MessageAttributes = sqsMessageAttributes(attributes);
        try {
          const [{ SendMessageBatchCommand }, sqs] = await Promise.all([sqsSdk(), client()]);
          const answer = await sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: url(),
              Entries: chunk.map((request, index) => ({
                Id: String(index),
                MessageBody: JSON.stringify(request),
                ...(MessageAttributes && { MessageAttributes }),
              })),
            }),
          );
          failed = answer.Failed?.length ?? 0;
        } catch (error) {
          throw translateQueueError(error, url());
        }
        if (failed > 0)
          throw new UnavailableError(`The webhooks queue refused ${failed} message(s); retry shortly.`);
      }
    },
    delay: async (receiptHandle: string, seconds: number) => {
      try {
        const [{ ChangeMessageVisibilityCommand }, sqs] = await Promise.all([sqsSdk(), client()]);
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: url(),
            ReceiptHandle: receiptHandle,
            VisibilityTimeout: Math.max(0, Math.min(43_200, Math.round(seconds))),
          }),
        );
      } catch (error) {
        throw translateQueueError(error, url());
      }
    },
  };
};
