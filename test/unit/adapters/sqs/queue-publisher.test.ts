import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createHeartbeatPublisher } from '#adapters/sqs/heartbeat-publisher';
import { createQueuePublisher, QueueError } from '#adapters/sqs/queue-publisher';
import { UnavailableError } from '#core/errors';

// The SQS emulator neither throttles nor fails, so those answers are injected at the SDK.
const sqs = mockClient(SQSClient);
const URL = 'http://127.0.0.1:9324/000000000000/coord-test-heartbeats';
const heartbeat = { agentId: 'agent-a', at: '2026-03-02T12:00:00.000Z', requestId: 'req-1' };

const sdkError = (name: string, status: number, fault: 'client' | 'server') =>
  Object.assign(new Error(name), { name, $fault: fault, $metadata: { httpStatusCode: status } });

afterEach(() => {
  sqs.reset();
});

describe('the heartbeat publisher', () => {
  it('sends each heartbeat as one JSON message to the queue', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    const publisher = createHeartbeatPublisher(createQueuePublisher(async () => new SQSClient({}), URL));

    await publisher.publish(heartbeat);

    expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: URL, MessageBody: JSON.stringify(heartbeat) },
    ]);
  });

  it.each([
    ['throttling', sdkError('RequestThrottled', 403, 'client')],
    ['a 5xx', sdkError('InternalError', 500, 'server')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
  ])('turns %s into UnavailableError (503, retry)', async (_what, error) => {
    sqs.on(SendMessageCommand).rejects(error);
    const publisher = createQueuePublisher(async () => new SQSClient({}), URL);

    await expect(publisher.send(heartbeat)).rejects.toThrow(UnavailableError);
  });

  it('fails with a QueueError naming the queue when it does not exist', async () => {
    sqs.on(SendMessageCommand).rejects(sdkError('QueueDoesNotExist', 400, 'client'));
    const publisher = createQueuePublisher(async () => new SQSClient({}), URL);

    await expect(publisher.send(heartbeat)).rejects.toThrow(QueueError);
    await expect(publisher.send(heartbeat)).rejects.toThrow(/coord-test-heartbeats.*QueueDoesNotExist/);
  });
});
