/**
 * Creates the queues CDK creates on AWS, from the same definitions (`src/adapters/sqs/queues.ts`).
 * Safe to run against queues that already exist (a kept data dir, a LocalStack that outlives us).
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueNameExists,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { deadLetterQueueName, type QueueDefinition, queueName } from '#adapters/sqs/queues';

/** URLs of one provisioned queue and its dead-letter queue. */
export interface ProvisionedQueue {
  readonly url: string;
  readonly dlqUrl: string;
}

const ensureQueue = async (
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> => {
  let url: string | undefined;
  try {
    url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl;
  } catch (error) {
    // The queue exists with other attributes (older definitions): bring it in line.
    if (!(error instanceof QueueNameExists)) throw error;
    url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
  }
  if (!url) throw new Error(`CreateQueue returned no URL for ${name}`);
  const found = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = found.Attributes?.QueueArn;
  if (!arn) throw new Error(`GetQueueAttributes returned no ARN for ${name}`);
  return { url, arn };
};

/** Creates (or aligns) a queue and its dead-letter queue, with the redrive policy between them. */
export const ensureQueueWithDlq = async (
  sqs: SQSClient,
  prefix: string,
  queue: QueueDefinition,
): Promise<ProvisionedQueue> => {
  const dlq = await ensureQueue(sqs, deadLetterQueueName(prefix, queue), {
    MessageRetentionPeriod: String(queue.dlqRetentionPeriodSeconds),
  });
  const main = await ensureQueue(sqs, queueName(prefix, queue), {
    VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(queue.retentionPeriodSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: queue.maxReceiveCount }),
  });
  return { url: main.url, dlqUrl: dlq.url };
};
