import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { heartbeatsQueue } from '#adapters/sqs/queues';
import { type SqsHandler, type SqsPoller, startSqsPoller } from '#local/pollers/sqs-poller';
import { pollUntil } from '#test/support/http-client';
import { createTestQueue, depthOf, sendBodies, type TestQueue } from './queue-support';

// Messages come back 1 s after a failed receive, and are never dead-lettered here.
const quickQueue = { ...heartbeatsQueue, visibilityTimeoutSeconds: 1, maxReceiveCount: 10 };

let running: { poller: SqsPoller; queue: TestQueue } | undefined;
afterEach(async () => {
  await running?.poller.stop();
  await running?.queue.cleanup();
  running = undefined;
});

/** A poller on a fresh queue, invoking `handle` and recording every event it got. */
const pollWith = async (name: string, handle: (event: SQSEvent, call: number) => SQSBatchResponse) => {
  const queue = await createTestQueue(name, quickQueue);
  const events: SQSEvent[] = [];
  const handler: SqsHandler = async (event) => {
    events.push(event);
    return handle(event, events.length);
  };
  const poller = startSqsPoller({
    sqs: queue.sqs,
    queueUrl: queue.url,
    loadHandler: async () => handler,
    batchSize: 10,
    maxBatchingWindowMs: 300,
    waitTimeSeconds: 1,
    onError: () => undefined,
  });
  running = { poller, queue };
  return { queue, events, poller };
};

const bodiesOf = (event: SQSEvent | undefined) => event?.Records.map((record) => record.body).sort();

describe('the local SQS poller', () => {
  it('hands waiting messages over in one batch and deletes those the handler did not fail', async () => {
    const { queue, events } = await pollWith('poller-batch', (event) => ({
      batchItemFailures: event.Records.filter((r) => r.body === '"b"').map((r) => ({
        itemIdentifier: r.messageId,
      })),
    }));

    await sendBodies(queue.sqs, queue.url, ['"a"', '"b"', '"c"']);
    const redelivered = await pollUntil(
      async () => events.slice(1).find((event) => bodiesOf(event)?.includes('"b"')),
      (event) => event !== undefined,
      { what: 'the failed message delivered again' },
    );

    expect(bodiesOf(events[0])).toEqual(['"a"', '"b"', '"c"']);
    expect(events[0]?.Records[0]).toMatchObject({ eventSource: 'aws:sqs', awsRegion: 'us-east-1' });
    expect(bodiesOf(redelivered)).toEqual(['"b"']);
    expect(redelivered?.Records[0]?.attributes.ApproximateReceiveCount).toBe('2');
  });

  it('leaves the whole batch for redelivery when the handler throws', async () => {
    const { queue, events } = await pollWith('poller-throws', (_event, call) => {
      if (call === 1) throw new Error('the function crashed');
      return { batchItemFailures: [] };
    });

    await sendBodies(queue.sqs, queue.url, ['"x"', '"y"']);
    const depth = await pollUntil(
      async () => (events.length >= 2 ? depthOf(queue.sqs, queue.url) : -1),
      (messages) => messages === 0,
      { what: 'the batch handled on its second delivery' },
    );

    expect(events.map(bodiesOf)).toEqual([
      ['"x"', '"y"'],
      ['"x"', '"y"'],
    ]);
    expect(depth).toBe(0);
  });

  it('stops while waiting for messages, and hands nothing over afterwards', async () => {
    const { queue, events, poller } = await pollWith('poller-stop', () => ({ batchItemFailures: [] }));

    await poller.stop();
    await sendBodies(queue.sqs, queue.url, ['"late"']);

    expect(await depthOf(queue.sqs, queue.url)).toBe(1);
    expect(events).toEqual([]);
  });
});
