import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ApiClient,
  isKeptInOutbox,
  NetworkError,
  type OutboxPort,
  type PendingRequest,
} from '../../../cli/client';
import { parseEvents } from '../../../cli/commands/watch';
import { replayOutbox } from '../../../cli/outbox';
import { LocalState } from '../../../cli/state';

/** An outbox in memory that records what the client did with it. */
const memoryOutbox = () => {
  const held = new Map<string, PendingRequest>();
  const log: string[] = [];
  const port: OutboxPort = {
    keep: async (request) => {
      held.set(request.key, request);
      log.push(`keep ${request.path}`);
    },
    drop: async (key) => {
      held.delete(key);
      log.push('drop');
    },
    kept: async (request) => {
      held.set(request.key, request);
      log.push(`kept ${request.lastError ?? ''}`);
    },
  };
  return { held, log, port };
};

const answering =
  (...statuses: number[]): typeof fetch =>
  async () => {
    const status = statuses.shift() ?? 500;
    return new Response(
      JSON.stringify(status < 300 ? { ok: true } : { error: { code: `c${status}`, message: 'no' } }),
      {
        status,
      },
    );
  };

const client = (fetchImpl: typeof fetch, outbox?: OutboxPort) =>
  new ApiClient({
    baseUrl: 'http://service.test',
    token: 'agent-token',
    retries: 1,
    sleep: async () => undefined,
    fetch: fetchImpl,
    ...(outbox ? { outbox } : {}),
  });

describe('which requests the outbox keeps', () => {
  it('keeps reports and other POSTs, never reads, claims, tokens, registrations, heartbeats or imports', () => {
    expect(isKeptInOutbox('POST', '/v1/work/wi_1/complete')).toBe(true);
    expect(isKeptInOutbox('POST', '/v1/work/wi_1/progress')).toBe(true);
    expect(isKeptInOutbox('POST', '/v1/work')).toBe(true);
    expect(isKeptInOutbox('POST', '/v1/agents/a-1/retire')).toBe(true);
    expect(isKeptInOutbox('GET', '/v1/work')).toBe(false);
    expect(isKeptInOutbox('POST', '/v1/work/wi_1/claim')).toBe(false);
    expect(isKeptInOutbox('POST', '/v1/work/claim-next')).toBe(false);
    expect(isKeptInOutbox('POST', '/v1/agents')).toBe(false);
    expect(isKeptInOutbox('POST', '/v1/agents/a-1/token')).toBe(false);
    expect(isKeptInOutbox('POST', '/v1/agents/a-1/heartbeat')).toBe(false);
    expect(isKeptInOutbox('POST', '/v1/tokens')).toBe(false);
    expect(isKeptInOutbox('POST', '/v1/import?dryRun=1')).toBe(false);
  });
});

describe('the client with an outbox', () => {
  it('records a report before sending it and forgets it once answered', async () => {
    const { held, log, port } = memoryOutbox();

    await client(answering(200), port).request('POST', '/v1/work/wi_1/complete', {
      body: { claimToken: 't' },
    });

    expect(log).toEqual(['keep /v1/work/wi_1/complete', 'drop']);
    expect(held.size).toBe(0);
  });

  it('forgets a report the service refused with a 4xx: it will never apply', async () => {
    const { held, port } = memoryOutbox();

    await expect(
      client(answering(409), port).request('POST', '/v1/work/wi_1/complete', { body: {} }),
    ).rejects.toMatchObject({
      status: 409,
    });

    expect(held.size).toBe(0);
  });

  it('keeps a report with its key, token and body when the service stays unreachable or failing', async () => {
    const { held, log, port } = memoryOutbox();
    const down: typeof fetch = async () => {
      throw new TypeError('fetch failed');
    };

    await expect(
      client(down, port).request('POST', '/v1/work/wi_1/fail', {
        body: { reason: 'x' },
        idempotencyKey: 'k-1',
      }),
    ).rejects.toBeInstanceOf(NetworkError);
    await expect(
      client(answering(503, 503), port).request('POST', '/v1/work/wi_2/fail', { body: {} }),
    ).rejects.toMatchObject({
      status: 503,
    });

    expect(held.get('k-1')).toMatchObject({
      key: 'k-1',
      method: 'POST',
      path: '/v1/work/wi_1/fail',
      body: '{"reason":"x"}',
      token: 'agent-token',
      lastError: expect.stringContaining('cannot reach'),
    });
    expect(held.size).toBe(2);
    expect(log.filter((entry) => entry.startsWith('kept'))).toHaveLength(2);
  });
});

describe('replaying the outbox', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coord-outbox-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const pending = (key: string, path: string, recordedAt: string): PendingRequest => ({
    key,
    method: 'POST',
    path,
    body: '{}',
    token: 'agent-token',
    recordedAt,
  });

  it('sends oldest first with each key, drops what was answered, and stops at the first unanswered one', async () => {
    const state = new LocalState(dir, 'http://service.test');
    await state.saveOutbox(pending('k-2', '/v1/work/wi_2/complete', '2026-01-01T00:00:02.000Z'));
    await state.saveOutbox(pending('k-1', '/v1/work/wi_1/complete', '2026-01-01T00:00:01.000Z'));
    await state.saveOutbox(pending('k-3', '/v1/work/wi_3/complete', '2026-01-01T00:00:03.000Z'));
    const keys: string[] = [];
    const statuses = [200, 409, 503];
    const fetchImpl: typeof fetch = async (_url, init) => {
      keys.push(((init?.headers ?? {}) as Record<string, string>)['idempotency-key'] as string);
      const status = statuses.shift() ?? 503;
      return new Response(
        JSON.stringify(status === 200 ? {} : { error: { code: 'stale_claim', message: 'm' } }),
        {
          status,
        },
      );
    };

    const outcome = await replayOutbox(state, client(fetchImpl));

    expect(keys).toEqual(['k-1', 'k-2', 'k-3']);
    expect(outcome.sent.map((request) => request.key)).toEqual(['k-1']);
    expect(outcome.refused).toEqual([
      { request: expect.objectContaining({ key: 'k-2' }), status: 409, code: 'stale_claim' },
    ]);
    expect(
      (await state.listOutbox()).map((request) => [request.key, request.lastError !== undefined]),
    ).toEqual([['k-3', true]]);
  });
});

describe('server-sent event parsing', () => {
  it('splits events with ids, names and data, and keeps an unfinished one for later', () => {
    const { events, rest } = parseEvents(
      'id: c1\nevent: work.created\ndata: {"a":1}\n\n: comment\n\nevent: end\ndata: {}\n\nid: c2\nda',
    );

    expect(events).toEqual([
      { id: 'c1', event: 'work.created', data: '{"a":1}' },
      { event: 'end', data: '{}' },
    ]);
    expect(rest).toBe('id: c2\nda');
  });
});
