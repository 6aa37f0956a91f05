import { describe, expect, it, vi } from 'vitest';
import { createHttpRoute, type HttpRuntime } from '#functions/shared/http';
import {
  matchesOriginSecret,
  ORIGIN_REFUSED_MESSAGE,
  ORIGIN_VERIFY_HEADER,
  OriginSecrets,
} from '#functions/shared/origin-verify';
import { routes } from '#functions/shared/routes';
import { type EventHandler, type EventOptions, invoke } from '../support/api-event';
import { ADMIN, testRuntime } from '../support/runtime';

const SECRET = 'origin-secret-0123456789abcdef';
const TIMING = { maxAgeMs: 300_000, minRefreshMs: 60_000 };

describe('matchesOriginSecret', () => {
  it('accepts the configured value', () => {
    expect(matchesOriginSecret([SECRET], SECRET)).toBe(true);
  });

  it('accepts any of several values (current and previous)', () => {
    expect(matchesOriginSecret(['previous-value', SECRET], SECRET)).toBe(true);
    expect(matchesOriginSecret([SECRET, 'previous-value'], 'previous-value')).toBe(true);
  });

  it.each([
    ['a missing header', undefined],
    ['an empty header', ''],
    ['a wrong value of the same length', `${SECRET.slice(0, -1)}x`],
    ['a prefix of the value', SECRET.slice(0, 10)],
    ['the value with more after it', `${SECRET}0`],
    ['the value in another case', SECRET.toUpperCase()],
  ])('refuses %s', (_what, given) => {
    expect(matchesOriginSecret([SECRET], given)).toBe(false);
  });

  it('never matches an empty accepted value, nor anything when none is accepted', () => {
    expect(matchesOriginSecret([''], '')).toBe(false);
    expect(matchesOriginSecret([], SECRET)).toBe(false);
  });
});

describe('OriginSecrets', () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('reads the values once and keeps them until they are maxAgeMs old', async () => {
    const time = clock();
    const read = vi.fn(async () => [SECRET]);
    const secrets = new OriginSecrets(read, time.now, TIMING);

    await Promise.all([secrets.verify(SECRET), secrets.verify(SECRET), secrets.verify(undefined)]);
    time.advance(TIMING.maxAgeMs - 1);
    await secrets.verify(SECRET);
    expect(read).toHaveBeenCalledTimes(1);

    time.advance(1);
    await secrets.verify(SECRET);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('reads again early when a header matches nothing and the values are older than minRefreshMs', async () => {
    const time = clock();
    let current = 'old-value-0123456789';
    const read = vi.fn(async () => [current]);
    const secrets = new OriginSecrets(read, time.now, TIMING);
    expect(await secrets.verify(current)).toBe(true);

    current = 'new-value-0123456789';
    time.advance(TIMING.minRefreshMs - 1);
    expect(await secrets.verify(current)).toBe(false);
    expect(read).toHaveBeenCalledTimes(1);

    time.advance(1);
    expect(await secrets.verify(current)).toBe(true);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('never reads again for a request without the header', async () => {
    const time = clock();
    const read = vi.fn(async () => [SECRET]);
    const secrets = new OriginSecrets(read, time.now, TIMING);
    await secrets.verify(SECRET);
    time.advance(TIMING.minRefreshMs * 2);

    expect(await secrets.verify(undefined)).toBe(false);
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('does not keep a failed read: the next request reads again', async () => {
    const time = clock();
    const read = vi.fn().mockRejectedValueOnce(new Error('unavailable')).mockResolvedValue([SECRET]);
    const secrets = new OriginSecrets(read, time.now, TIMING);

    await expect(secrets.verify(SECRET)).rejects.toThrow('unavailable');
    expect(await secrets.verify(SECRET)).toBe(true);
    expect(read).toHaveBeenCalledTimes(2);
  });
});

describe('the origin check in the HTTP chain', () => {
  const tokenLookups = vi.fn();
  const ports = testRuntime.ports();
  const runtimeWith = (originSecrets: HttpRuntime['originSecrets']): HttpRuntime => ({
    ...testRuntime,
    ports: () => ({
      ...ports,
      tokens: {
        ...ports.tokens,
        get: async (id) => {
          tokenLookups(id);
          return ports.tokens.get(id);
        },
      },
    }),
    authSecrets: async () => {
      tokenLookups('secrets');
      return testRuntime.authSecrets();
    },
    ...(originSecrets && { originSecrets }),
  });
  const checked = runtimeWith(() => new OriginSecrets(async () => [SECRET], Date.now));

  /** `GET /v1/agents` (agent or admin) and `GET /v1/health` (public) on a runtime. */
  const handlersOn = (runtime: HttpRuntime) => {
    const route = createHttpRoute(runtime);
    const handled = vi.fn();
    return {
      handled,
      agents: route(routes.listAgents, async () => {
        handled();
        return { status: 200, body: { items: [] } };
      }) as unknown as EventHandler,
      health: route(routes.health, async () => {
        handled();
        return { status: 200, body: { status: 'ok' } };
      }) as unknown as EventHandler,
    };
  };
  /** A GET with the admin token, another token, or none (`null`). */
  const request = (path: string, origin?: string, token: string | null = ADMIN): EventOptions => ({
    method: 'GET',
    path,
    ...(token !== null && { token }),
    ...(origin !== undefined && { headers: { [ORIGIN_VERIFY_HEADER]: origin } }),
  });

  it.each([
    ['without the header', undefined],
    ['with a wrong header', 'not-the-origin-secret'],
  ])(
    'refuses a request %s with 403 forbidden, before authentication and the handler',
    async (_what, origin) => {
      tokenLookups.mockClear();
      const { agents, health, handled } = handlersOn(checked);

      for (const answer of [
        await invoke(agents, request('/v1/agents', origin)),
        await invoke(agents, request('/v1/agents', origin, 'tok_agent.not-a-secret')),
        await invoke(health, request('/v1/health', origin, null)),
      ]) {
        expect(answer.status).toBe(403);
        expect(answer.body).toEqual({
          error: { code: 'forbidden', message: ORIGIN_REFUSED_MESSAGE, details: {} },
        });
        expect(answer.headers['x-request-id']).toBeDefined();
      }
      expect(tokenLookups).not.toHaveBeenCalled();
      expect(handled).not.toHaveBeenCalled();
    },
  );

  it('takes a request with the right header, which is then authenticated as usual', async () => {
    const { agents, health, handled } = handlersOn(checked);

    expect((await invoke(agents, request('/v1/agents', SECRET))).status).toBe(200);
    expect((await invoke(health, request('/v1/health', SECRET, null))).status).toBe(200);
    expect((await invoke(agents, request('/v1/agents', SECRET, null))).status).toBe(401);
    expect(handled).toHaveBeenCalledTimes(2);
  });

  it('checks nothing when the runtime has no origin secret, or its config sets none', async () => {
    for (const runtime of [runtimeWith(undefined), runtimeWith(() => undefined)]) {
      const { agents, health } = handlersOn(runtime);

      expect((await invoke(agents, request('/v1/agents'))).status).toBe(200);
      expect((await invoke(health, request('/v1/health', 'anything', null))).status).toBe(200);
    }
  });
});
