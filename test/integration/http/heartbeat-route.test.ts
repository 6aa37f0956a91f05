import { DeleteMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { heartbeatsQueue } from '#adapters/sqs/queues';
import { handler as applyHeartbeats } from '#functions/queues/heartbeats';
import { sqsRecordOf } from '#local/pollers/sqs-poller';
import { lambdaContext } from '../../unit/functions/support/api-event';
import { createTestQueue, depthOf, receiveMessages, type TestQueue } from '../queues/queue-support';
import { call, seedAgent, useHandlerStore } from './handlers';

const storeOf = useHandlerStore('http-heartbeat');
let queue: TestQueue;

beforeAll(async () => {
  queue = await createTestQueue('http-heartbeat', heartbeatsQueue);
  vi.stubEnv('AWS_ENDPOINT_URL_SQS', inject('sqsEndpoint'));
  vi.stubEnv('COORD_HEARTBEATS_QUEUE_URL', queue.url);
});

afterAll(async () => {
  await queue.cleanup();
});

describe('POST /v1/agents/{id}/heartbeat', () => {
  it('answers 202 and puts the heartbeat on the heartbeats queue, without touching the agent', async () => {
    const store = storeOf();
    const { agent, token } = await seedAgent(store);

    const answer = await call('heartbeat', {
      token,
      params: { id: agent.id },
      body: { status: 'active' },
    });
    const [message] = await receiveMessages(queue.sqs, queue.url, 1);
    await queue.sqs.send(
      new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message?.ReceiptHandle }),
    );

    expect(answer.status).toBe(202);
    expect(answer.body).toBeUndefined();
    expect(JSON.parse(message?.Body ?? '{}')).toEqual({
      agentId: agent.id,
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      status: 'active',
      requestId: answer.headers['x-request-id'],
    });
    expect(await store.ports.agents.get(agent.id)).toEqual(agent);
  });

  it('puts the request id in the message attributes, and the consumer logs it', async () => {
    const store = storeOf();
    const { agent, token } = await seedAgent(store);

    const answer = await call('heartbeat', { token, params: { id: agent.id }, body: {} });
    const [message] = await receiveMessages(queue.sqs, queue.url, 1);
    if (!message) throw new Error('the heartbeat was sent');
    await queue.sqs.send(
      new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle }),
    );
    const requestId = answer.headers['x-request-id'];
    const written: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await applyHeartbeats(
        { Records: [sqsRecordOf(message, 'arn:aws:sqs:us-east-1:000000000000:heartbeats', 'us-east-1')] },
        lambdaContext(),
      );
    } finally {
      stdout.mockRestore();
    }

    expect(requestId).toMatch(/.+/);
    expect(message.MessageAttributes?.requestId).toEqual({ DataType: 'String', StringValue: requestId });
    const handled = written
      .flatMap((line) => line.split('\n'))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.message === 'Queue batch done');
    expect(handled).toMatchObject({ queue: 'heartbeats', received: 1, failed: 0, requestIds: [requestId] });
    expect((await store.ports.agents.get(agent.id))?.version).toBe(agent.version + 1);
  });

  it('answers 403 to an agent heartbeating as another, and sends nothing', async () => {
    const store = storeOf();
    const [{ token }, { agent: other }] = await Promise.all([seedAgent(store), seedAgent(store)]);

    const answer = await call('heartbeat', { token, params: { id: other.id }, body: {} });

    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('forbidden');
    expect(await depthOf(queue.sqs, queue.url)).toBe(0);
  });

  it('answers 400 for a status an agent may not report, and sends nothing', async () => {
    const store = storeOf();
    const { agent, token } = await seedAgent(store);

    const answer = await call('heartbeat', { token, params: { id: agent.id }, body: { status: 'offline' } });

    expect(answer.status).toBe(400);
    expect(answer.body.error.details.errors).toEqual([
      { path: '/status', message: 'must be one of: active, idle' },
    ]);
    expect(await depthOf(queue.sqs, queue.url)).toBe(0);
  });
});
