/**
 * Webhooks end to end on the emulators: routes through their real handlers, the broadcaster's
 * fan-out, and the `webhooks` consumer run by the local SQS poller (as `npm start` runs it) POSTing
 * to a local receiver that checks signatures; retries, pausing with its escalation, and the DLQ.
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { webhooksQueue } from '#adapters/sqs/queues';
import { ActiveWebhooks } from '#app/use-cases/webhooks/active-webhooks';
import { fanOutWebhooks } from '#app/use-cases/webhooks/fan-out';
import { EscalationStatus } from '#core/escalations/escalation';
import { fanOutDeps } from '#functions/shared/wiring';
import { importConsumer } from '#local/pollers/consumers';
import { type SqsPoller, startSqsPoller } from '#local/pollers/sqs-poller';
import { unique } from '#test/support/builders';
import { isSignedBy, startWebhookReceiver, type WebhookReceiver } from '#test/support/webhook-receiver';
import { ADMIN, call, useHandlerStore } from '../http/handlers';
import { createTestQueue, depthOf, type TestQueue } from '../queues/queue-support';

vi.hoisted(() => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
});

const PAUSE_AFTER = 2;
const storeOf = useHandlerStore('webhooks');
let queue: TestQueue;
let poller: SqsPoller;
let receiver: WebhookReceiver;

beforeAll(async () => {
  queue = await createTestQueue('webhooks', webhooksQueue);
  vi.stubEnv('AWS_ENDPOINT_URL_SQS', inject('sqsEndpoint'));
  vi.stubEnv('COORD_WEBHOOKS_QUEUE_URL', queue.url);
  vi.stubEnv('COORD_WEBHOOK_RETRY_BASE_SECONDS', '0');
  vi.stubEnv('COORD_WEBHOOK_PAUSE_AFTER', String(PAUSE_AFTER));
  receiver = await startWebhookReceiver();
  poller = startSqsPoller({
    sqs: queue.sqs,
    queueUrl: queue.url,
    loadHandler: () => importConsumer({ entry: 'functions/queues/webhook-deliver.ts' }),
    batchSize: webhooksQueue.batchSize,
    maxBatchingWindowMs: 0,
    waitTimeSeconds: 1,
    onError: () => undefined,
  });
});

afterAll(async () => {
  await poller.stop();
  await receiver.close();
  await queue.cleanup();
});

/** Polls `check` until it returns a value or 20 s pass. */
const eventually = async <T>(check: () => Promise<T | undefined>, what: string): Promise<T> => {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** A webhook at the receiver, under a path of its own so its requests can be told apart. */
const registerWebhook = async (body: Record<string, unknown>) => {
  const path = `/hook/${unique()}`;
  const url = receiver.url.replace('/hook', path);
  const answer = await call('createWebhook', { token: ADMIN, body: { url, ...body } });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return { id: answer.body.id as string, path };
};

/** Creates a work item and fans its `work.created` event out, as the broadcaster does. */
const createWorkAndFanOut = async (team: string, metadata: Record<string, unknown> = {}) => {
  const created = await call('createWork', {
    token: ADMIN,
    body: { team, type: 'build', title: 'Ship it', metadata },
  });
  expect(created.status).toBe(201);
  const events = await storeOf().ports.audit.list({ limit: 5, entityId: created.body.id });
  // The broadcaster keeps the active webhooks for a few seconds; each test registers its own, so read them fresh.
  const deps = fanOutDeps();
  const fresh = { ...deps, activeWebhooks: new ActiveWebhooks(deps.webhooks, deps.clock, 0) };
  const queued = await fanOutWebhooks(fresh, events.items);
  return { workId: created.body.id as string, queued };
};

const deliveriesOf = async (id: string) =>
  (await call('listWebhookDeliveries', { token: ADMIN, params: { id } })).body.items as Array<
    Record<string, unknown>
  >;

describe('webhook deliveries', () => {
  it('POSTs a signed work.created with the item and its metadata, and records it delivered', async () => {
    const team = `t-${unique()}`;
    const secret = `secret-${unique()}-${unique()}`;
    const hook = await registerWebhook({ events: ['work.created'], team, secret });
    receiver.answer(200);
    const before = receiver.received.length;

    const { workId, queued } = await createWorkAndFanOut(team, {
      source: { issue: 17, url: 'https://x/17' },
    });
    const [delivery] = await eventually(async () => {
      const items = await deliveriesOf(hook.id);
      return items[0]?.status === 'delivered' ? items : undefined;
    }, 'a delivered delivery');

    const request = receiver.received
      .slice(before)
      .find((r) => r.headers['x-coord-delivery'] === delivery?.id);
    expect(queued).toBe(1);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['x-coord-event']).toBe('work.created');
    expect(isSignedBy(request?.headers['x-coord-signature'] as string, request?.body ?? '', secret)).toBe(
      true,
    );
    expect(
      isSignedBy(request?.headers['x-coord-signature'] as string, request?.body ?? '', `${secret}x`),
    ).toBe(false);
    const payload = JSON.parse(request?.body ?? '{}');
    expect(payload).toMatchObject({
      id: delivery?.id,
      event: 'work.created',
      type: 'work.created',
      work: { id: workId, team, metadata: { source: { issue: 17 } } },
    });
    expect(delivery).toMatchObject({
      event: 'work.created',
      status: 'delivered',
      attempts: 1,
      responseStatus: 200,
    });
  });

  it('sends nothing for another team or an event type the webhook did not ask for', async () => {
    const hook = await registerWebhook({ events: ['work.completed'], secret: 's'.repeat(16) });
    const other = await registerWebhook({ events: ['*'], team: `t-${unique()}`, secret: 's'.repeat(16) });

    await createWorkAndFanOut(`t-${unique()}`);

    expect(await deliveriesOf(hook.id)).toEqual([]);
    expect(await deliveriesOf(other.id)).toEqual([]);
  });

  it('retries a failed attempt: 500 then 200 is delivered on attempt 2 with the same delivery id', async () => {
    const team = `t-${unique()}`;
    const hook = await registerWebhook({ events: ['*'], team, secret: 'r'.repeat(20) });
    receiver.answer(500, 200);
    const before = receiver.received.length;

    const { queued } = await createWorkAndFanOut(team);
    const [delivery] = await eventually(async () => {
      const items = await deliveriesOf(hook.id);
      return items[0]?.status === 'delivered' ? items : undefined;
    }, 'a retried delivery');

    const attempts = receiver.received
      .slice(before)
      .filter((r) => r.headers['x-coord-delivery'] === delivery?.id);
    expect(queued).toBe(1);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2, responseStatus: 200 });
    expect(attempts).toHaveLength(2);
  });

  it(`pauses a webhook after ${PAUSE_AFTER} failed deliveries, escalates, dead-letters them, and resumes on request`, async () => {
    const team = `t-${unique()}`;
    const hook = await registerWebhook({ events: ['work.created'], team, secret: 'f'.repeat(16) });
    receiver.answer(503);

    await createWorkAndFanOut(team);
    await createWorkAndFanOut(team);
    const deliveries = await eventually(async () => {
      const items = await deliveriesOf(hook.id);
      return items.length === 2 && items.every((d) => d.status === 'failed') ? items : undefined;
    }, 'two failed deliveries');
    const listed = await call('listWebhooks', { token: ADMIN, query: { limit: '200' } });
    const paused = (listed.body.items as Array<Record<string, unknown>>).find((w) => w.id === hook.id);
    const escalations = await storeOf().ports.escalations.list({
      limit: 50,
      status: EscalationStatus.Open,
      team,
    });
    const dead = await eventually(async () => {
      const depth = await depthOf(queue.sqs, queue.dlqUrl);
      return depth >= 2 ? depth : undefined;
    }, 'two dead letters');
    const resumed = await call('resumeWebhook', { token: ADMIN, params: { id: hook.id } });

    for (const delivery of deliveries) {
      expect(delivery).toMatchObject({
        status: 'failed',
        attempts: webhooksQueue.maxReceiveCount,
        lastError: 'HTTP 503',
        responseStatus: 503,
      });
    }
    expect(paused).toMatchObject({ status: 'paused' });
    expect(escalations.items).toEqual([
      expect.objectContaining({
        kind: 'webhook_paused',
        details: expect.objectContaining({ webhookId: hook.id }),
      }),
    ]);
    expect(dead).toBe(2);
    expect(resumed.body).toMatchObject({ id: hook.id, status: 'active' });
    expect(
      (await storeOf().ports.audit.list({ limit: 10, entityId: hook.id })).items.map((e) => e.action),
    ).toEqual(['webhook.resumed', 'webhook.paused', 'webhook.created']);
  });
});
