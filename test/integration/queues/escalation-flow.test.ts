/**
 * The asynchronous path of escalations on the real emulators: the sweeper's handler sends a
 * request to the escalations queue (SQS emulator), and the consumer's handler records it once,
 * however often the queue delivers it.
 */

import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { escalationsQueue } from '#adapters/sqs/queues';
import { DEFAULT_SETTINGS } from '#core/settings';
import { addSeconds } from '#core/time';
import { handler as recordEscalations } from '#functions/queues/record-escalations';
import { handler as sweep } from '#functions/scheduled/sweep';
import { aWorkItem, claimed, unique } from '#test/support/builders';
import { insert } from '#test/support/dynamo';
import { lambdaContext } from '../../unit/functions/support/api-event';
import { publishedUnder, publishing } from '../../unit/functions/support/emitted-metrics';
import { seedAgent, useHandlerStore } from '../http/handlers';
import { createTestQueue, receiveMessages, sqsEventOf, type TestQueue } from './queue-support';

vi.hoisted(() => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
});

const storeOf = useHandlerStore('queue-escalations');
let queue: TestQueue;

beforeAll(async () => {
  queue = await createTestQueue('escalations', escalationsQueue);
  vi.stubEnv('AWS_ENDPOINT_URL_SQS', inject('sqsEndpoint'));
  vi.stubEnv('COORD_ESCALATIONS_QUEUE_URL', queue.url);
});

afterAll(async () => {
  await queue.cleanup();
});

const tick = () =>
  sweep(
    {
      version: '0',
      id: unique(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: [],
      detail: {},
    },
    lambdaContext('coord-sweeper'),
  );

describe('escalations through the queue', () => {
  it('a sweep escalates an item whose last lease expired; the consumer records it once and counts it by kind', async () => {
    // Arrange: an item on its last attempt, its holder silent past the lease
    const store = storeOf();
    const { agent } = await seedAgent(store, {
      activeClaims: 1,
      lastHeartbeatAt: addSeconds(new Date(), -DEFAULT_SETTINGS.leaseSeconds - 5),
    });
    const item = claimed(aWorkItem({ attempts: 2, maxAttempts: 3 }), agent.id, {
      leaseExpiresAt: addSeconds(new Date(), -5),
    });
    await insert(store.ports, { work: [item] });
    // Act
    const report = await tick();
    const [message] = await receiveMessages(queue.sqs, queue.url, 1);
    let answer: Awaited<ReturnType<typeof recordEscalations>> | undefined;
    const lines = await publishing(async () => {
      answer = await recordEscalations(sqsEventOf([message?.Body, message?.Body]), lambdaContext());
    });
    // Assert
    expect(publishedUnder(lines, 'kind', 'escalations.recorded')).toEqual([['retries_exhausted', 1]]);
    expect(report).toMatchObject({ expiredLeases: 1, escalatedItems: 1 });
    expect(await store.ports.work.get(item.id)).toMatchObject({ status: 'escalated', attempts: 3 });
    expect(JSON.parse(message?.Body ?? '{}')).toMatchObject({ workId: item.id, kind: 'retries_exhausted' });
    expect(answer?.batchItemFailures).toEqual([]);
    const history = await store.ports.escalations.ofWork(item.id);
    expect(history).toEqual([
      expect.objectContaining({
        kind: 'retries_exhausted',
        status: 'open',
        details: expect.objectContaining({ cause: 'lease_expired' }),
      }),
    ]);
    expect((await store.ports.agents.get(agent.id))?.activeClaims).toBe(0);
  });

  it('fails only a body that is no escalation request', async () => {
    const store = storeOf();
    const item = aWorkItem({ status: 'escalated', attempts: 3, readyAt: undefined });
    await insert(store.ports, { work: [item] });
    const request = { workId: item.id, kind: 'retries_exhausted', at: new Date().toISOString() };

    const answer = await recordEscalations(
      sqsEventOf(['{"workId": ', { ...request, kind: 'bored' }, request]),
      lambdaContext(),
    );

    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }, { itemIdentifier: 'm-1' }]);
    expect(await store.ports.escalations.ofWork(item.id)).toHaveLength(1);
  });
});
