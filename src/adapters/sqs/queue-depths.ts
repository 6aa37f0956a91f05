/**
 * How deep the queues and their dead-letter queues are, for the health assessment: SQS
 * `GetQueueAttributes` `ApproximateNumberOfMessages` of each queue and of its DLQ, found by their
 * physical names (`queueName`, `deadLetterQueueName`). Throttling, timeouts, 5xx and network errors
 * become `UnavailableError`; a queue that does not exist or may not be read (a deployment that
 * has not granted it) is left out of the answer, since the assessment is advisory.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { QueueDepth } from '#core/ai/health';
import { UnavailableError } from '#core/errors';
import { isTransientAwsError } from '../aws-errors';
import type { LazyClient } from '../lazy-client';
import { sqsSdk } from './queue-publisher';
import { deadLetterQueueName, type QueueDefinition, queueName } from './queues';

/** Reads the depth of every queue given, with its dead-letter queue. */
export type QueueDepthReader = () => Promise<readonly QueueDepth[]>;

const unavailable = (error: unknown): never => {
  throw new UnavailableError('The queues are busy or unreachable; retry shortly.', { cause: error });
};

/**
 * The depths of `queues` (under the deployment prefix `prefix`); queue URLs are looked up once
 * per queue and kept.
 */
export const createQueueDepthReader = (
  client: LazyClient<SQSClient>,
  prefix: string,
  queues: readonly QueueDefinition[],
): QueueDepthReader => {
  const urls = new Map<string, Promise<string>>();
  const urlOf = (name: string): Promise<string> => {
    let url = urls.get(name);
    if (!url) {
      url = Promise.all([sqsSdk(), client()])
        .then(([{ GetQueueUrlCommand }, sqs]) => sqs.send(new GetQueueUrlCommand({ QueueName: name })))
        .then((answer) => answer.QueueUrl ?? '');
      // A failed lookup is tried again next time (the queue may be created meanwhile).
      url.catch(() => urls.delete(name));
      urls.set(name, url);
    }
    return url;
  };
  const messagesIn = async (name: string): Promise<number> => {
    const [{ GetQueueAttributesCommand }, sqs] = await Promise.all([sqsSdk(), client()]);
    const answer = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: await urlOf(name),
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    return Number(answer.Attributes?.ApproximateNumberOfMessages ?? 0);
  };
  const depthOf = async (queue: QueueDefinition): Promise<QueueDepth | undefined> => {
    try {
      const [visible, deadLetters] = await Promise.all([
        messagesIn(queueName(prefix, queue)),
        messagesIn(deadLetterQueueName(prefix, queue)),
      ]);
      return { queue: queue.id, visible, deadLetters };
    } catch (error) {
      if (isTransientAwsError(error)) return unavailable(error);
      return undefined;
    }
  };
  return async () =>
    (await Promise.all(queues.map(depthOf))).filter((depth): depth is QueueDepth => depth !== undefined);
};
