import { describe, expect, it, vi } from 'vitest';
import { heartbeatsQueue } from '#adapters/sqs/queues';
import type { Heartbeat } from '#core/agents/heartbeat';
import { leaseExpiry } from '#core/claims/holder';
import { addSeconds } from '#core/time';
import { handler } from '#functions/queues/heartbeats';
import { importConsumer } from '#local/pollers/consumers';
import { startSqsPoller } from '#local/pollers/sqs-poller';
import { aWorkItem, claimed } from '#test/support/builders';
import { insert } from '#test/support/dynamo';
import { pollUntil } from '#test/support/http-client';
import { lambdaContext } from '../../unit/functions/support/api-event';
import { seedAgent, useHandlerStore } from '../http/handlers';
import { createTestQueue, depthOf, receiveMessages, sendBodies, sqsEventOf } from './queue-support';

// Expected failures log errors and count metrics; keep the run's output readable.
vi.hoisted(() => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
});

const storeOf = useHandlerStore('queue-heartbeats');

const secondsAgo = (seconds: number): string => new Date(Date.now() - seconds * 1000).toISOString();
const heartbeat = (agentId: string, ageSeconds: number, status?: 'active' | 'idle'): Heartbeat => ({
  agentId,
  at: secondsAgo(ageSeconds),
  requestId: `req-${agentId}-${ageSeconds}`,
  ...(status ? { status } : {}),
});

/** An agent that last heartbeated a minute ago, holding one claimed item whose lease ends soon. */
const seedHolder = async () => {
  const store = storeOf();
  const { agent } = await seedAgent(store, { lastHeartbeatAt: secondsAgo(60), activeClaims: 1 });
  const item = claimed(aWorkItem(), agent.id, { leaseExpiresAt: addSeconds(new Date(), 20) });
  await insert(store.ports, { work: [item] });
  return { agent, item };
};

describe('the heartbeats consumer', () => {
  it('coalesces one agent’s heartbeats into one update, which renews the leases it holds without writing them', async () => {
    const store = storeOf();
    const { agent, item } = await seedHolder();
    const latest = heartbeat(agent.id, 1);
    const batch = [heartbeat(agent.id, 3, 'idle'), latest, heartbeat(agent.id, 2, 'active')];

    const answer = await handler(sqsEventOf(batch), lambdaContext());

    expect(answer.batchItemFailures).toEqual([]);
    const stored = await store.ports.agents.get(agent.id);
    expect(stored).toMatchObject({
      lastHeartbeatAt: latest.at,
      reportedStatus: 'active',
      version: agent.version + 1,
    });
    const held = await store.ports.work.get(item.id);
    expect(held).toMatchObject({ version: item.version, claim: item.claim });
    if (!held?.claim) throw new Error('the item is still held');
    expect(leaseExpiry(held.claim, stored?.lastHeartbeatAt, 300)).toBe(addSeconds(latest.at, 300));
  });

  it('fails only a body that is not a heartbeat, and applies the rest of its batch', async () => {
    const store = storeOf();
    const [{ agent: a }, { agent: b }] = await Promise.all([
      seedAgent(store, { lastHeartbeatAt: secondsAgo(60) }),
      seedAgent(store, { lastHeartbeatAt: secondsAgo(60) }),
    ]);
    const event = sqsEventOf([
      heartbeat(a.id, 1),
      '{"agentId": "not closed',
      { agentId: b.id, at: 'yesterday', requestId: 'r' },
      heartbeat(b.id, 1, 'active'),
    ]);

    const answer = await handler(event, lambdaContext());

    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }]);
    expect((await store.ports.agents.get(a.id))?.version).toBe(a.version + 1);
    expect((await store.ports.agents.get(b.id))?.reportedStatus).toBe('active');
  });

  it('drops the heartbeats of an agent that does not exist, since no retry can apply them', async () => {
    const store = storeOf();
    const { agent } = await seedAgent(store, { lastHeartbeatAt: secondsAgo(60) });

    const answer = await handler(
      sqsEventOf([heartbeat('agent-gone-for-good', 1), heartbeat(agent.id, 1)]),
      lambdaContext(),
    );

    expect(answer.batchItemFailures).toEqual([]);
    expect((await store.ports.agents.get(agent.id))?.version).toBe(agent.version + 1);
  });

  it('changes nothing when a heartbeat comes again or arrives after a later one', async () => {
    const store = storeOf();
    const { agent } = await seedAgent(store, { lastHeartbeatAt: secondsAgo(60) });
    const later = heartbeat(agent.id, 1, 'active');
    await handler(sqsEventOf([later]), lambdaContext());

    const answer = await handler(sqsEventOf([later, heartbeat(agent.id, 5, 'idle')]), lambdaContext());

    expect(answer.batchItemFailures).toEqual([]);
    expect(await store.ports.agents.get(agent.id)).toMatchObject({
      version: agent.version + 1,
      lastHeartbeatAt: later.at,
      reportedStatus: 'active',
    });
  });
});

describe('the heartbeats consumer behind the local poller', () => {
  // Short timings so a poison message is dead-lettered within seconds: visible again after 1 s,
  // dead-lettered on the receive after its second failure.
  const testQueue = { ...heartbeatsQueue, visibilityTimeoutSeconds: 1, maxReceiveCount: 2 };

  it('moves a poison message to the DLQ after maxReceiveCount while the rest of its batch applies', async () => {
    const store = storeOf();
    const queue = await createTestQueue('poison', testQueue);
    const { agent, item } = await seedHolder();
    const good = heartbeat(agent.id, 1, 'active');
    await sendBodies(queue.sqs, queue.url, [
      JSON.stringify(heartbeat(agent.id, 2)),
      'not json',
      JSON.stringify(good),
    ]);
    const poller = startSqsPoller({
      sqs: queue.sqs,
      queueUrl: queue.url,
      loadHandler: () => importConsumer({ entry: 'functions/queues/heartbeats.ts' }),
      batchSize: testQueue.batchSize,
      maxBatchingWindowMs: 200,
      waitTimeSeconds: 1,
      onError: () => undefined,
    });

    try {
      const dead = await receiveMessages(queue.sqs, queue.dlqUrl, 1);
      const depth = await pollUntil(
        () => depthOf(queue.sqs, queue.url),
        (messages) => messages === 0,
        { timeoutMs: 20_000, what: 'an empty heartbeats queue' },
      );

      expect(dead.map((message) => message.Body)).toEqual(['not json']);
      expect(depth).toBe(0);
      expect(await store.ports.agents.get(agent.id)).toMatchObject({
        lastHeartbeatAt: good.at,
        reportedStatus: 'active',
        version: agent.version + 1,
      });
      const held = await store.ports.work.get(item.id);
      expect(held?.version).toBe(item.version);
      expect(held?.claim && leaseExpiry(held.claim, good.at, 300)).toBe(addSeconds(good.at, 300));
    } finally {
      await poller.stop();
      await queue.cleanup();
    }
  });
});
