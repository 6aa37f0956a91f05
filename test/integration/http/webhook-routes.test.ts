import { describe, expect, it, vi } from 'vitest';
import { unique } from '#test/support/builders';
import { ADMIN, call, useHandlerStore } from './handlers';

vi.hoisted(() => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
});

const store = useHandlerStore('http-webhook-routes');

const SECRET = 'a-secret-of-20-chars';
const valid = () => ({
  url: `https://hooks.example.com/${unique()}`,
  events: ['work.completed'],
  secret: SECRET,
});

const newestEvent = async (): Promise<string | undefined> =>
  (await store().ports.audit.list({ limit: 1 })).items[0]?.id;

describe('webhook routes', () => {
  it('creates a webhook, active, showing only the last four characters of its secret', async () => {
    const body = { ...valid(), team: `t-${unique()}` };

    const created = await call('createWebhook', { token: ADMIN, body });
    const listed = await call('listWebhooks', { token: ADMIN, query: { limit: '200' } });
    const audit = await store().ports.audit.list({ limit: 5, entityId: created.body.id });

    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^wh_/),
      url: body.url,
      events: ['work.completed'],
      team: body.team,
      status: 'active',
      secretHint: 'hars',
      createdAt: expect.any(String),
    });
    expect(listed.body.items).toContainEqual(created.body);
    expect(JSON.stringify(listed.body)).not.toContain(SECRET);
    expect(audit.items.map((e) => e.action)).toEqual(['webhook.created']);
    expect(JSON.stringify(audit.items)).not.toContain(SECRET);
  });

  it.each([
    ['a plain http URL to another host', { url: 'http://hooks.example.com/x' }, '/url'],
    ['an ftp URL', { url: 'ftp://hooks.example.com/x' }, '/url'],
    ['credentials in the URL', { url: 'https://user:pw@hooks.example.com/x' }, '/url'],
    ['a short secret', { secret: 'short' }, '/secret'],
    ['an unknown event type', { events: ['work.exploded'] }, '/events/0'],
    ['"*" beside other types', { events: ['*', 'work.created'] }, '/events'],
    ['no events', { events: [] }, '/events'],
    ['an unknown field', { extra: 1 }, ''],
  ])('answers 400 to %s and stores nothing', async (_name, change, path) => {
    const before = await newestEvent();

    const answer = await call('createWebhook', { token: ADMIN, body: { ...valid(), ...change } });

    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body.error.code).toBe('validation_error');
    expect(JSON.stringify(answer.body.error.details)).toContain(`"${path}`);
    expect(await newestEvent()).toBe(before);
  });

  it('accepts http to localhost on the local stage', async () => {
    const answer = await call('createWebhook', {
      token: ADMIN,
      body: { ...valid(), url: 'http://localhost:9999/hook' },
    });

    expect(answer.status).toBe(201);
  });

  it('deletes a webhook once: 204, then 404 for it and its deliveries', async () => {
    const created = await call('createWebhook', { token: ADMIN, body: valid() });
    const params = { id: created.body.id as string };

    const deleted = await call('deleteWebhook', { token: ADMIN, params });
    const again = await call('deleteWebhook', { token: ADMIN, params });
    const deliveries = await call('listWebhookDeliveries', { token: ADMIN, params });
    const resumed = await call('resumeWebhook', { token: ADMIN, params });

    expect(deleted.status).toBe(204);
    expect(again.status).toBe(404);
    expect(deliveries.status).toBe(404);
    expect(resumed.status).toBe(404);
  });

  it('answers an active webhook resumed as it is, writing nothing', async () => {
    const created = await call('createWebhook', { token: ADMIN, body: valid() });
    const before = await newestEvent();

    const resumed = await call('resumeWebhook', { token: ADMIN, params: { id: created.body.id } });

    expect(resumed.status).toBe(200);
    expect(resumed.body).toEqual(created.body);
    expect(await newestEvent()).toBe(before);
  });

  it('lists no deliveries for a new webhook, and pages the webhooks', async () => {
    await call('createWebhook', { token: ADMIN, body: valid() });
    const created = await call('createWebhook', { token: ADMIN, body: valid() });

    const deliveries = await call('listWebhookDeliveries', { token: ADMIN, params: { id: created.body.id } });
    const first = await call('listWebhooks', { token: ADMIN, query: { limit: '1' } });
    const second = await call('listWebhooks', {
      token: ADMIN,
      query: { limit: '1', cursor: first.body.nextCursor },
    });

    expect(deliveries.body).toEqual({ items: [] });
    expect(first.body.items).toHaveLength(1);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
  });
});
