/**
 * Queue fixtures of the integration tests: a test file's own queue and DLQ in the run's SQS
 * emulator (from the same definitions the stack uses, with test timings), SQS events built the
 * way the Lambda event source builds them, and reads that poll with a deadline.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { inject } from 'vitest';
import { createSqsClient } from '#adapters/sqs/queue-publisher';
import type { QueueDefinition } from '#adapters/sqs/queues';
import { sqsRecordOf } from '#local/pollers/sqs-poller';
import { ensureQueueWithDlq } from '#local/provision';

/** A test file's queue and its DLQ. */
export interface TestQueue {
  readonly sqs: SQSClient;
  readonly url: string;
  readonly dlqUrl: string;
  /** Deletes both queues and closes the client. */
  cleanup(): Promise<void>;
}

/** Creates `definition`'s queue and DLQ under a unique prefix in the run's SQS emulator. */
export const createTestQueue = async (name: string, definition: QueueDefinition): Promise<TestQueue> => {
  const sqs = await createSqsClient({ region: 'us-east-1', endpoint: inject('sqsEndpoint') });
  const { url, dlqUrl } = await ensureQueueWithDlq(sqs, `t-${name}-${randomUUID().slice(0, 8)}`, definition);
  return {
    sqs,
    url,
    dlqUrl,
    cleanup: async () => {
      await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
      await sqs.send(new DeleteQueueCommand({ QueueUrl: dlqUrl }));
      sqs.destroy();
    },
  };
};

/** Sends raw bodies in one batch (at most 10); returns their message ids in order. */
export const sendBodies = async (
  sqs: SQSClient,
  url: string,
  bodies: readonly string[],
): Promise<string[]> => {
  const sent = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: body })),
    }),
  );
  if ((sent.Failed ?? []).length > 0)
    throw new Error(`SendMessageBatch failed: ${JSON.stringify(sent.Failed)}`);
  return bodies.map((_, index) => {
    const id = sent.Successful?.find((entry) => entry.Id === String(index))?.MessageId;
    if (!id) throw new Error(`No message id for entry ${index}`);
    return id;
  });
};

/** An SQS event as the event source mapping delivers it, one record per body (ids `m-0`, `m-1`...). */
export const sqsEventOf = (bodies: readonly unknown[]): SQSEvent => ({
  Records: bodies.map((body, index) =>
    sqsRecordOf(
      {
        MessageId: `m-${index}`,
        ReceiptHandle: `rh-${index}`,
        Body: typeof body === 'string' ? body : JSON.stringify(body),
      },
      'arn:aws:sqs:us-east-1:000000000000:t-heartbeats',
      'us-east-1',
    ),
  ),
});

/** Receives from `url` until `count` messages arrived or `timeoutMs` passed; returns what arrived. */
export const receiveMessages = async (
  sqs: SQSClient,
  url: string,
  count: number,
  timeoutMs = 20_000,
): Promise<Message[]> => {
  const deadline = Date.now() + timeoutMs;
  const received: Message[] = [];
  while (received.length < count && Date.now() < deadline) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    received.push(...(Messages ?? []));
  }
  return received;
};

/** Messages on `url`, visible and in flight. */
export const depthOf = async (sqs: SQSClient, url: string): Promise<number> => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
};
