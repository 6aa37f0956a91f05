/**
 * `GET /v1/tokens` shows when each token was last used, recorded cheaply: at most one write per
 * token per `LAST_USE_INTERVAL_SECONDS`, never for a token that is gone, and never a secret.
 */
import { describe, expect, it } from 'vitest';
import { sha256Hasher } from '#adapters/system/hasher';
import { LAST_USE_INTERVAL_SECONDS, type TokenRecord } from '#core/ports';
import { Role } from '#core/roles';
import { unique } from '#test/support/builders';
import { ADMIN, call, useHandlerStore } from './handlers';

const store = useHandlerStore('http-token-last-use');

const listed = async (id: string): Promise<Record<string, unknown> | undefined> => {
  let cursor: string | undefined;
  do {
    const page = await call('listTokens', { token: ADMIN, query: cursor ? { cursor } : {} });
    expect(page.status).toBe(200);
    const found = (page.body.items as Record<string, unknown>[]).find((item) => item.id === id);
    if (found) return found;
    cursor = page.body.nextCursor;
  } while (cursor);
  return undefined;
};

const storeToken = async (token: TokenRecord): Promise<void> => {
  await store().ports.uow.commit({ writes: [{ kind: 'tokenPut', token }], events: [] });
};

describe('the last use of a token', () => {
  it('is absent until the token is used, then listed with the time of that use (never the secret)', async () => {
    const issued = await call('issueToken', { token: ADMIN, body: { role: 'viewer', label: 'dash' } });
    expect(issued.status).toBe(201);
    expect((await listed(issued.body.id))?.lastUsedAt).toBeUndefined();

    const before = Date.now();
    expect((await call('listTeams', { token: issued.body.token })).status).toBe(200);
    const after = Date.now();

    const shown = await listed(issued.body.id);
    const lastUsedAt = Date.parse(String(shown?.lastUsedAt));
    expect(lastUsedAt).toBeGreaterThanOrEqual(before);
    expect(lastUsedAt).toBeLessThanOrEqual(after);
    expect(shown).toMatchObject({ id: issued.body.id, role: 'viewer', label: 'dash' });
    expect(JSON.stringify(shown)).not.toContain(issued.body.token.split('.')[1]);
    expect(Object.keys(shown ?? {})).not.toContain('secretHash');
  });

  it('is written once per interval, not once per request', async () => {
    const issued = await call('issueToken', { token: ADMIN, body: { role: 'viewer' } });
    await call('listTeams', { token: issued.body.token });
    const first = (await listed(issued.body.id))?.lastUsedAt;

    await new Promise((resolve) => setTimeout(resolve, 20));
    await call('listTeams', { token: issued.body.token });
    await call('listWork', { token: issued.body.token, query: { team: `t-${unique()}` } });

    expect(first).toBeDefined();
    expect((await listed(issued.body.id))?.lastUsedAt).toBe(first);
  });

  it('is renewed once the stored time is older than the interval', async () => {
    const id = `tok_${unique()}`;
    const stale = new Date(Date.now() - (LAST_USE_INTERVAL_SECONDS + 60) * 1000).toISOString();
    await storeToken({
      id,
      secretHash: sha256Hasher.hash('secret'),
      role: Role.Viewer,
      createdAt: '2026-01-01T00:00:00.000Z',
      lastUsedAt: stale,
    });
    const before = Date.now();

    expect((await call('listTeams', { token: `${id}.secret` })).status).toBe(200);

    expect(Date.parse(String((await listed(id))?.lastUsedAt))).toBeGreaterThanOrEqual(before);
  });

  it('is kept when still within the interval, however many processes record it', async () => {
    const id = `tok_${unique()}`;
    const recent = new Date(Date.now() - 60_000).toISOString();
    await storeToken({
      id,
      secretHash: sha256Hasher.hash('secret'),
      role: Role.Viewer,
      createdAt: '2026-01-01T00:00:00.000Z',
      lastUsedAt: recent,
    });

    // Another process, which has recorded nothing yet, meets the stored time and writes nothing.
    await store().ports.tokens.recordUse?.(id, new Date());

    expect((await store().ports.tokens.get(id))?.lastUsedAt).toBe(recent);
  });

  it('never brings back a token that is gone', async () => {
    const id = `tok_${unique()}`;

    await store().ports.tokens.recordUse?.(id, new Date());

    expect(await store().ports.tokens.get(id)).toBeUndefined();
  });
});
