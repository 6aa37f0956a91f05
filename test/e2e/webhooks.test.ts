import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimWork, createWork, registerAgent, stackClients, uniqueName } from '#test/support/e2e-fixtures';
import { pollUntil } from '#test/support/http-client';
import { isSignedBy, startWebhookReceiver, type WebhookReceiver } from '#test/support/webhook-receiver';

let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  await receiver.close();
});

describe('webhooks through the local stack', () => {
  it('delivers a signed work.completed carrying the item and its metadata.source to a local receiver', async () => {
    const { admin } = stackClients();
    const team = uniqueName('team-hook');
    const secret = `secret-${uniqueName('s')}`;
    const hook = await admin.post<{ id: string }>('/v1/webhooks', {
      url: receiver.url,
      events: ['work.completed'],
      team,
      secret,
    });
    expect(hook.status, hook.text).toBe(201);
    const agent = await registerAgent(team, { capacity: 50 });

    // The broadcaster keeps the active webhooks for a few seconds: complete items until one is sent.
    const completeOne = async () => {
      const source = { issue: 42, url: `https://example.com/issues/${uniqueName('i')}` };
      const item = await createWork(team, { metadata: { source } });
      const { claim } = await claimWork(agent, item.id);
      const done = await agent.api.post(`/v1/work/${item.id}/complete`, { claimToken: claim.token });
      expect(done.status, done.text).toBe(200);
      return receiver.received.find((r) => r.headers['x-coord-event'] === 'work.completed');
    };
    const request = await pollUntil(completeOne, (found) => found !== undefined, {
      timeoutMs: 30_000,
      intervalMs: 1000,
      what: 'a work.completed delivery',
    });
    const payload = JSON.parse(request?.body ?? '{}');
    const deliveries = await pollUntil(
      async () =>
        (await admin.get<{ items: Array<{ status: string }> }>(`/v1/webhooks/${hook.body.id}/deliveries`))
          .body,
      (page) => page.items.some((d) => d.status === 'delivered'),
      { timeoutMs: 15_000, what: 'a delivered delivery' },
    );

    expect(isSignedBy(request?.headers['x-coord-signature'] as string, request?.body ?? '', secret)).toBe(
      true,
    );
    expect(payload).toMatchObject({
      event: 'work.completed',
      work: { team, status: 'completed', metadata: { source: { issue: 42 } } },
    });
    expect(deliveries.items.some((d) => d.status === 'delivered')).toBe(true);
    await admin.delete(`/v1/webhooks/${hook.body.id}`);
  });
});
