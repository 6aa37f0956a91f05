import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type EventHandler, invoke } from '../support/api-event';

// A DynamoDB endpoint that takes every request and never answers: a store that stalls.
let server: Server;
/** Attempts per distinct request (a retry repeats the request's body). */
const attempts = new Map<string, number>();
const sockets = new Set<Socket>();
const ADMIN = 'admin-token-slow-store';

beforeAll(async () => {
  server = createServer((request) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => attempts.set(body, (attempts.get(body) ?? 0) + 1));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  for (const socket of sockets) socket.destroy();
  await new Promise((done) => server.close(done));
});
beforeEach(() => {
  attempts.clear();
  // A fresh module graph per case: the handler reads its configuration once per cold start.
  vi.resetModules();
  vi.stubEnv('COORD_ADMIN_TOKEN', ADMIN);
  vi.stubEnv('COORD_TABLE_PREFIX', 'slow');
  // Each read makes its own store calls: a settings read still in flight from the warm-up would
  // otherwise be shared by the timed read (the settings cache shares one read between callers).
  vi.stubEnv('COORD_SETTINGS_CACHE_SECONDS', '0');
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

/**
 * Reads one work item through the real handler of a function with this timeout. A first read
 * warms the container (the SDK's one-time set-up is slow on a busy test machine, unlike on
 * Lambda); the second one is timed.
 */
const readWork = async (functionTimeoutMs: number) => {
  vi.stubEnv('COORD_FUNCTION_TIMEOUT_MS', String(functionTimeoutMs));
  const { handler } = await import('#functions/http/get-work');
  const read = () =>
    invoke(handler as unknown as EventHandler, {
      method: 'GET',
      path: '/v1/work/wi_1',
      routePath: '/v1/work/{id}',
      pathParameters: { id: 'wi_1' },
      token: ADMIN,
    });
  await read();
  attempts.clear();
  const started = performance.now();
  const answer = await read();
  return { answer, elapsedMs: performance.now() - started };
};

describe('a store that never answers', () => {
  it('makes a 3 s function answer 503 with Retry-After before its timeout', async () => {
    const { answer, elapsedMs } = await readWork(3000);

    expect(answer.status).toBe(503);
    expect(answer.body.error.code).toBe('unavailable');
    expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // One attempt per request (2 s each, all the time a retry would leave), then time to answer.
    expect(attempts.size).toBeGreaterThanOrEqual(1);
    expect([...attempts.values()].every((count) => count === 1)).toBe(true);
    expect(elapsedMs).toBeGreaterThan(1500);
    expect(elapsedMs).toBeLessThan(3000);
  }, 60_000);

  it('makes a 6 s function retry once and still answer 503 before its timeout', async () => {
    const { answer, elapsedMs } = await readWork(6000);

    expect(answer.status).toBe(503);
    expect(attempts.size).toBeGreaterThanOrEqual(1);
    expect([...attempts.values()].every((count) => count === 2)).toBe(true);
    expect(elapsedMs).toBeLessThan(6000);
  }, 60_000);
});
