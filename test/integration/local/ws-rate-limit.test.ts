/**
 * The WebSocket routes are rate limited per token like the HTTP routes, through the local
 * WebSocket server and the real handlers on DynamoDB Local: `$connect` past the limit is refused
 * with 429 and `Retry-After`, and a client frame past it is answered with an `error` frame of
 * code `rate_limited` instead of being handled. The limit here is tiny (burst 3, 1 a second).
 */
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { startWsGateway, type WsGateway } from '#local/ws-gateway';
import { unique } from '#test/support/builders';
import { call, seedAgent, useHandlerStore } from '../http/handlers';

const store = useHandlerStore('ws-rate-limit');
let gateway: WsGateway | undefined;
const sockets: WebSocket[] = [];
const failures: unknown[] = [];

beforeAll(async () => {
  vi.stubEnv('COORD_RATE_LIMIT_PER_SECOND', '1');
  vi.stubEnv('COORD_RATE_LIMIT_BURST', '3');
  gateway = await startWsGateway({ port: 0, onFailure: (_key, error) => failures.push(error) });
  // Replies go to this gateway's sockets in process, as under `npm start`.
  vi.stubEnv('COORD_WS_CALLBACK_URL', gateway.callbackUrl);
});

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await gateway?.close();
});

type Opened = { socket: WebSocket; frames: Record<string, unknown>[] };
type Refused = { status: number; retryAfter: string | undefined };

/** Opens a connection with `token`: the open socket and the frames it receives, or the refusal. */
const open = (token: string): Promise<Opened | Refused> =>
  new Promise((resolve, reject) => {
    if (!gateway) throw new Error('no gateway');
    const socket = new WebSocket(`${gateway.url}?token=${encodeURIComponent(token)}`);
    const frames: Record<string, unknown>[] = [];
    socket.on('message', (data) => frames.push(JSON.parse(data.toString())));
    socket.once('open', () => {
      sockets.push(socket);
      resolve({ socket, frames });
    });
    socket.once('unexpected-response', (_request, response: IncomingMessage) => {
      resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'] as string });
      response.resume();
    });
    socket.once('error', (error) => {
      if (!socket.listenerCount('unexpected-response')) reject(error);
    });
  });

const framesAfter = async (frames: Record<string, unknown>[], count: number) => {
  const deadline = Date.now() + 10_000;
  while (frames.length < count && Date.now() < deadline) await new Promise((wake) => setTimeout(wake, 20));
  return frames;
};

describe('WebSocket rate limits', () => {
  it('answers client frames past the limit with a rate_limited error frame, not their reply', async () => {
    const { token } = await seedAgent(store(), { team: `t-${unique()}` });
    const opened = await open(token);
    if (!('socket' in opened)) throw new Error(`refused: ${JSON.stringify(opened)}`);

    for (let sent = 0; sent < 6; sent += 1) opened.socket.send(JSON.stringify({ action: 'ping' }));
    const frames = await framesAfter(opened.frames, 6);

    const pongs = frames.filter((frame) => frame.type === 'pong');
    const limited = frames.filter((frame) => frame.type === 'error' && frame.code === 'rate_limited');
    expect(frames).toHaveLength(6);
    expect(pongs.length).toBeGreaterThanOrEqual(2);
    expect(limited.length).toBeGreaterThanOrEqual(2);
    expect(limited[0]).toMatchObject({ details: { retryAfterSeconds: expect.any(Number) } });
    expect(failures).toEqual([]);
  });

  it('refuses a $connect past the limit with 429 and Retry-After', async () => {
    const issued = await call('issueToken', {
      token: 'admin-token-integration',
      body: { role: 'viewer' },
    });
    const answers: (Opened | Refused)[] = [];
    for (let attempt = 0; attempt < 6; attempt += 1) answers.push(await open(issued.body.token));

    const refused = answers.filter((answer): answer is Refused => 'status' in answer);
    expect(answers.length - refused.length).toBeGreaterThanOrEqual(3);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused[0]).toEqual({ status: 429, retryAfter: expect.stringMatching(/^[1-9]\d*$/) });
  });

  it('keeps each token to its own bucket', async () => {
    const { token } = await seedAgent(store(), { team: `t-${unique()}` });

    const opened = await open(token);

    expect('socket' in opened).toBe(true);
  });
});
