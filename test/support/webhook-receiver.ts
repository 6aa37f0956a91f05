/**
 * A local HTTP receiver of webhook deliveries for tests: it keeps every request (headers and raw
 * body), answers with the next status of a script (the last one repeats), and checks signatures
 * the way a receiver should (recomputing the HMAC).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface ReceivedDelivery {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A running receiver. */
export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedDelivery[];
  /** Sets the statuses of the next answers (the last one repeats). */
  answer(...statuses: number[]): void;
  close(): Promise<void>;
}

/** Whether `header` (`t=<unix>,v1=<hex>`) signs `body` with `secret`, as the README tells receivers to check. */
export const isSignedBy = (header: string | undefined, body: string, secret: string): boolean => {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2] ?? '', 'hex'));
};

/** Starts a receiver on 127.0.0.1 (a free port), answering 200 until told otherwise. */
export const startWebhookReceiver = async (): Promise<WebhookReceiver> => {
  const received: ReceivedDelivery[] = [];
  let script: number[] = [200];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = script.length > 1 ? (script.shift() ?? 200) : (script[0] ?? 200);
      response.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    answer: (...statuses) => {
      script = statuses.length > 0 ? statuses : [200];
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
