import { describe, expect, it } from 'vitest';
import {
  afterAttempt,
  afterDeliveryEnded,
  type Delivery,
  DeliveryStatus,
  retryDelaySeconds,
  secretHint,
  WEBHOOK_EVENT_TYPES,
  type Webhook,
  WebhookStatus,
  wantsEvent,
} from '#core/webhooks/webhook';

const aWebhook = (overrides: Partial<Webhook> = {}): Webhook => ({
  id: 'wh_1',
  url: 'https://hooks.example.com/coord',
  events: ['*'],
  secret: 'abcdefghijklmnopWXYZ',
  status: WebhookStatus.Active,
  createdAt: '2026-12-01T00:00:00.000Z',
  consecutiveFailures: 0,
  pauses: 0,
  version: 1,
  ...overrides,
});

const aDelivery = (overrides: Partial<Delivery> = {}): Delivery => ({
  id: 'ev_1~wh_1',
  webhookId: 'wh_1',
  event: 'work.created',
  at: '2026-12-01T00:00:00.000Z',
  status: DeliveryStatus.Pending,
  attempts: 0,
  updatedAt: '2026-12-01T00:00:00.000Z',
  ...overrides,
});

const NOW = '2026-12-01T00:01:00.000Z';

describe('webhook rules', () => {
  it('shows at most the last four characters of a secret', () => {
    expect(secretHint('abcdefghijklmnopWXYZ')).toBe('WXYZ');
  });

  it('offers the live event types observers get and message, never assignment or metrics', () => {
    expect(WEBHOOK_EVENT_TYPES).toEqual(
      expect.arrayContaining(['work.created', 'work.completed', 'escalation', 'message']),
    );
    expect(WEBHOOK_EVENT_TYPES).not.toContain('assignment');
    expect(WEBHOOK_EVENT_TYPES).not.toContain('metrics');
  });

  it('matches by event type and team, and never while paused', () => {
    const narrow = aWebhook({ events: ['work.completed'], team: 'red' });

    expect(wantsEvent(narrow, 'work.completed', 'red')).toBe(true);
    expect(wantsEvent(narrow, 'work.completed', 'blue')).toBe(false);
    expect(wantsEvent(narrow, 'work.completed', undefined)).toBe(false);
    expect(wantsEvent(narrow, 'work.created', 'red')).toBe(false);
    expect(wantsEvent(aWebhook(), 'agent.registered', undefined)).toBe(true);
    expect(wantsEvent(aWebhook(), 'work.created', 'red')).toBe(true);
    expect(wantsEvent(aWebhook({ status: WebhookStatus.Paused }), 'work.created', 'red')).toBe(false);
  });

  it('backs off exponentially from the base, up to the cap', () => {
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(n, 10, 900))).toEqual([20, 40, 80, 160]);
    expect(retryDelaySeconds(7, 10, 900)).toBe(900);
    expect(retryDelaySeconds(500, 10, 900)).toBe(900);
  });

  it('records a failed attempt as pending until the last one, which fails the delivery', () => {
    const failed = { ok: false, responseStatus: 500, error: 'HTTP 500' };

    const first = afterAttempt(aDelivery(), failed, 3, NOW);
    const last = afterAttempt(aDelivery({ attempts: 2 }), failed, 3, NOW);

    expect(first).toEqual({
      delivery: aDelivery({ attempts: 1, lastError: 'HTTP 500', responseStatus: 500, updatedAt: NOW }),
      final: false,
    });
    expect(last.final).toBe(true);
    expect(last.delivery).toMatchObject({ status: 'failed', attempts: 3, lastError: 'HTTP 500' });
  });

  it('records a 2xx as delivered and forgets the earlier error', () => {
    const retried = aDelivery({ attempts: 1, lastError: 'timeout' });

    const { delivery, final } = afterAttempt(retried, { ok: true, responseStatus: 204 }, 3, NOW);

    expect(final).toBe(true);
    expect(delivery).toEqual(
      aDelivery({ status: 'delivered', attempts: 2, responseStatus: 204, updatedAt: NOW }),
    );
  });

  it(`pauses a webhook at the Nth failed delivery in a row, once, and a delivered one clears the count`, () => {
    const almost = aWebhook({ consecutiveFailures: 2 });

    const paused = afterDeliveryEnded(almost, false, 3);
    const again = paused && afterDeliveryEnded(paused.webhook, false, 3);
    const cleared = afterDeliveryEnded(almost, true, 3);

    expect(paused).toEqual({
      webhook: { ...almost, status: 'paused', consecutiveFailures: 3, pauses: 1, version: 2 },
      paused: true,
    });
    expect(again?.paused).toBe(false);
    expect(cleared?.webhook).toMatchObject({ consecutiveFailures: 0, status: 'active', version: 2 });
    expect(afterDeliveryEnded(aWebhook(), true, 3)).toBeUndefined();
    expect(cleared?.paused).toBe(false);
  });

  it('counts a failed delivery below the threshold without pausing', () => {
    expect(afterDeliveryEnded(aWebhook(), false, 3)).toStrictEqual({
      webhook: { ...aWebhook(), consecutiveFailures: 1, version: 2 },
      paused: false,
    });
  });

  it('records an attempt that got no response without a status, as failed when no reason is given', () => {
    const { delivery } = afterAttempt(aDelivery(), { ok: false }, 3, NOW);

    expect(delivery).toStrictEqual({
      ...aDelivery(),
      status: 'pending',
      attempts: 1,
      updatedAt: NOW,
      lastError: 'failed',
    });
    expect('responseStatus' in delivery).toBe(false);
  });
});
