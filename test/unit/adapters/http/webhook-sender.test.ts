import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookSender, isNonPublicAddress, webhookSignature } from '#adapters/http/webhook-sender';

describe('webhook signatures', () => {
  it('signs "<t>.<body>" with HMAC-SHA256 in hex', () => {
    const body = '{"id":"d1"}';
    const expected = createHmac('sha256', 'secret-0123456789').update(`1700000000.${body}`).digest('hex');

    expect(webhookSignature('secret-0123456789', 1_700_000_000, body)).toBe(`t=1700000000,v1=${expected}`);
  });
});

describe('the SSRF guard', () => {
  it.each([
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '127.0.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
  ])('refuses %s', (address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    'allows the public address %s',
    (address) => {
      expect(isNonPublicAddress(address)).toBe(false);
    },
  );
});

describe('the sender', () => {
  let url = '';
  const seen: string[] = [];
  const server = createServer((request, response) => {
    seen.push(request.url ?? '');
    response.writeHead(request.url === '/fail' ? 500 : 200).end();
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const delivery = (path: string) => ({
    url: `${url}${path}`,
    secret: 's'.repeat(16),
    deliveryId: 'd1',
    event: 'work.created',
    body: '{}',
  });

  it('refuses a loopback receiver unless loopback is allowed (the local stage)', async () => {
    const refused = await createWebhookSender().send(delivery('/ok'));
    const allowed = await createWebhookSender({ allowLoopback: true }).send(delivery('/ok'));

    expect(refused).toEqual({ ok: false, error: expect.stringMatching(/non-public/) });
    expect(allowed).toEqual({ ok: true, responseStatus: 200 });
    expect(seen).toEqual(['/ok']);
  });

  it('reports a non-2xx answer with its status', async () => {
    const answer = await createWebhookSender({ allowLoopback: true }).send(delivery('/fail'));

    expect(answer).toEqual({ ok: false, responseStatus: 500, error: 'HTTP 500' });
  });
});
