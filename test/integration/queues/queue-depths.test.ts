/**
 * The health assessment's queue depths against the SQS emulator: each queue and its DLQ by
 * physical name, queues that do not exist left out, and a throttled SQS as `UnavailableError`
 * (aws-sdk-client-mock: the emulator does not throttle).
 */
import { randomUUID } from 'node:crypto';
import { DeleteQueueCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createQueueDepthReader } from '#adapters/sqs/queue-depths';
import { createSqsClient } from '#adapters/sqs/queue-publisher';
import { escalationsQueue, heartbeatsQueue, QUEUES } from '#adapters/sqs/queues';
import { UnavailableError } from '#core/errors';
import { ensureQueueWithDlq } from '#local/provision';
import { sendBodies } from './queue-support';

const sqs = await createSqsClient({ region: 'us-east-1', endpoint: inject('sqsEndpoint') });
const created: string[] = [];

afterAll(async () => {
  for (const url of created) await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  sqs.destroy();
});

const provision = async (prefix: string, definition: typeof heartbeatsQueue) => {
  const queue = await ensureQueueWithDlq(sqs, prefix, definition);
  created.push(queue.url, queue.dlqUrl);
  return queue;
};

describe('queue depth reader', () => {
  it('reads the messages waiting in each queue and in its dead-letter queue', async () => {
    const prefix = `t-depths-${randomUUID().slice(0, 8)}`;
    const heartbeats = await provision(prefix, heartbeatsQueue);
    const escalations = await provision(prefix, escalationsQueue);
    await sendBodies(sqs, heartbeats.url, ['{"a":1}', '{"a":2}', '{"a":3}']);
    await sendBodies(sqs, heartbeats.dlqUrl, ['{"d":1}', '{"d":2}']);
    await sendBodies(sqs, escalations.dlqUrl, ['{"d":3}']);
    const read = createQueueDepthReader(async () => sqs, prefix, QUEUES);

    expect(await read()).toEqual([
      { queue: 'heartbeats', visible: 3, deadLetters: 2 },
      { queue: 'escalations', visible: 0, deadLetters: 1 },
    ]);
    await sendBodies(sqs, escalations.dlqUrl, ['{"d":4}']);
    expect((await read())[1]).toEqual({ queue: 'escalations', visible: 0, deadLetters: 2 });
  });

  it('leaves out a queue that does not exist', async () => {
    const prefix = `t-depths-${randomUUID().slice(0, 8)}`;
    await provision(prefix, escalationsQueue);

    expect(await createQueueDepthReader(async () => sqs, prefix, QUEUES)()).toEqual([
      { queue: 'escalations', visible: 0, deadLetters: 0 },
    ]);
  });

  it('answers UnavailableError when SQS throttles', async () => {
    const throttled = new SQSClient({ region: 'us-east-1' });
    const mock = mockClient(throttled);
    mock
      .on(GetQueueUrlCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));

    await expect(
      createQueueDepthReader(async () => throttled, 'any', [heartbeatsQueue])(),
    ).rejects.toBeInstanceOf(UnavailableError);
    mock.restore();
  });
});
