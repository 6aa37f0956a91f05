/**
 * Signed POSTs of webhook deliveries. Each carries `x-coord-signature: t=<unix>,v1=<hex>`, the
 * HMAC-SHA256 with the webhook's secret of `"<t>.<body>"`, plus `x-coord-event` and
 * `x-coord-delivery` (receivers de-duplicate on it). The receiver's address is resolved first and
 * refused when it is private, loopback, link-local or otherwise not public (the SSRF guard), unless
 * loopback is allowed (the local stage). Redirects are not followed.
 */
import { createHmac } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { OutgoingDelivery, WebhookSender } from '#core/webhooks/ports';

/** The signature header's value for `body` sent at `unixSeconds`. */
export const webhookSignature = (secret: string, unixSeconds: number, body: string): string =>
  `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;

const ipv4Parts = (address: string): number[] => address.split('.').map(Number);

const isLoopback = (address: string): boolean =>
  isIP(address) === 4 ? ipv4Parts(address)[0] === 127 : address === '::1';

/** Whether an IPv4 address is not a public unicast address. */
const isNonPublicV4 = (address: string): boolean => {
  const [a = 0, b = 0] = ipv4Parts(address);
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  );
};

/** Whether an address (v4 or v6) is not a public unicast address. */
export const isNonPublicAddress = (address: string): boolean => {
  if (isIP(address) === 4) return isNonPublicV4(address);
  const lower = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)?.[1];
  if (mapped) return isNonPublicV4(mapped);
  return (
    lower === '::' ||
    lower === '::1' ||
    /^f[cd]/.test(lower) ||
    /^fe[89ab]/.test(lower) ||
    /^ff/.test(lower) ||
    lower.startsWith('64:ff9b:') ||
    lower.startsWith('2001:db8')
  );
};

/** Options of {@link createWebhookSender}. */
export interface WebhookSenderOptions {
  /** How long one POST may take. @default 5000 */
  readonly timeoutMs?: number;
  /** Whether loopback receivers are allowed (the local stage only). @default false */
  readonly allowLoopback?: boolean;
  /** The current time in ms (the signature's `t`). @default Date.now */
  readonly now?: () => number;
}

/** Why an address may not receive, or `undefined` when it may. */
const refusalOf = async (hostname: string, allowLoopback: boolean): Promise<string | undefined> => {
  const bare = hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(bare) ? [bare] : (await lookup(bare, { all: true })).map((entry) => entry.address);
  const refused = addresses.find(
    (address) => isNonPublicAddress(address) && !(allowLoopback && isLoopback(address)),
  );
  return refused === undefined ? undefined : `refused: ${hostname} resolves to a non-public address`;
};

const describe = (error: unknown): string => {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return 'timeout';
  const code = (error as { cause?: { code?: unknown } }).cause?.code ?? (error as { code?: unknown }).code;
  return typeof code === 'string' ? `network error (${code})` : 'network error';
};

/** The sender of deliveries (Node's fetch). */
export const createWebhookSender = (options: WebhookSenderOptions = {}): WebhookSender => {
  const timeoutMs = options.timeoutMs ?? 5000;
  const now = options.now ?? Date.now;
  return {
    send: async (delivery: OutgoingDelivery) => {
      try {
        const url = new URL(delivery.url);
        const refusal = await refusalOf(url.hostname, options.allowLoopback ?? false);
        if (refusal) return { ok: false, error: refusal };
        const response = await fetch(url, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
          headers: {
            'content-type': 'application/json',
            'user-agent': 'coord-webhooks',
            'x-coord-signature': webhookSignature(delivery.secret, Math.floor(now() / 1000), delivery.body),
            'x-coord-event': delivery.event,
            'x-coord-delivery': delivery.deliveryId,
          },
          body: delivery.body,
        });
        // Not read: the receiver's answer is never stored or shown, only its status.
        await response.body?.cancel();
        const ok = response.status >= 200 && response.status < 300;
        return ok
          ? { ok, responseStatus: response.status }
          : { ok, responseStatus: response.status, error: `HTTP ${response.status}` };
      } catch (error) {
        return { ok: false, error: describe(error) };
      }
    },
  };
};
