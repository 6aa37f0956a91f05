import { describe, expect, it } from 'vitest';
import { sha256Hasher } from '#adapters/system/hasher';
import { Role } from '#core/roles';
import { unique } from '#test/support/builders';
import { ADMIN, call, seedAgent, useHandlerStore } from './handlers';

const store = useHandlerStore('http-token-lifetimes');

const DAY_MS = 24 * 60 * 60 * 1000;

describe('token lifetimes', () => {
  it('issues a token that ends after expiresInDays, and says when', async () => {
    const before = Date.now();

    const issued = await call('issueToken', { token: ADMIN, body: { role: 'viewer', expiresInDays: 7 } });
    const used = await call('listWork', { token: issued.body.token, query: { team: `t-${unique()}` } });

    expect(issued.status).toBe(201);
    const expiresAt = Date.parse(issued.body.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 7 * DAY_MS);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 7 * DAY_MS);
    expect(used.status).toBe(200);
  });

  it('answers 401 to a token past its expiry', async () => {
    const id = `tok_${unique()}`;
    await store().ports.uow.commit({
      writes: [
        {
          kind: 'tokenPut',
          token: {
            id,
            secretHash: sha256Hasher.hash('secret'),
            role: Role.Viewer,
            createdAt: '2026-01-01T00:00:00.000Z',
            expiresAt: new Date(Date.now() - 1000).toISOString(),
          },
        },
      ],
      events: [],
    });

    const answer = await call('listWork', { token: `${id}.secret`, query: { team: 'x' } });

    expect(answer.status).toBe(401);
  });

  it('refuses a 0-day or fractional expiry with 400', async () => {
    for (const expiresInDays of [0, 1.5, 4000]) {
      const answer = await call('issueToken', { token: ADMIN, body: { role: 'viewer', expiresInDays } });
      expect(answer.status).toBe(400);
    }
  });

  it('stops an agent token working once its agent is retired', async () => {
    const { agent, token } = await seedAgent(store());
    const readBefore = await call('getAgent', { token, params: { id: agent.id } });

    const retired = await call('retireAgent', { token, params: { id: agent.id }, body: { mode: 'drain' } });
    const readAfter = await call('getAgent', { token, params: { id: agent.id } });

    expect(readBefore.status).toBe(200);
    expect(retired.status).toBe(200);
    expect(retired.body.status).toBe('retired');
    expect(readAfter.status).toBe(401);
  });

  it('keeps the token of an agent still draining its claims', async () => {
    const { agent, token } = await seedAgent(store());
    const item = await call('createWork', {
      token: ADMIN,
      body: { type: 'build', title: 'x', team: agent.team },
    });
    await call('claimWork', { token, params: { id: item.body.id }, body: { agentId: agent.id } });

    const retiring = await call('retireAgent', { token, params: { id: agent.id }, body: { mode: 'drain' } });
    const read = await call('getAgent', { token, params: { id: agent.id } });

    expect(retiring.body.status).toBe('retiring');
    expect(read.status).toBe(200);
  });

  it('lists issued tokens to an admin, page by page, never with a secret', async () => {
    const label = `l-${unique()}`;
    const issued = [];
    for (const role of ['viewer', 'registration', 'admin']) {
      issued.push(await call('issueToken', { token: ADMIN, body: { role, label, expiresInDays: 30 } }));
    }
    const seen: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('listTokens', {
        token: ADMIN,
        query: { limit: '2', ...(cursor ? { cursor } : {}) },
      });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    const viewer = await call('listTokens', { token: issued[0]?.body.token });

    const mine = seen.filter((token) => token.label === label);
    expect(mine.map((token) => token.id)).toEqual(issued.map((answer) => answer.body.id));
    expect(mine[0]).toEqual({
      id: issued[0]?.body.id,
      role: 'viewer',
      label,
      createdAt: expect.any(String),
      expiresAt: issued[0]?.body.expiresAt,
    });
    const listed = JSON.stringify(seen);
    for (const answer of issued) expect(listed).not.toContain(answer.body.token.split('.')[1]);
    expect(listed).not.toContain('secretHash');
    expect(viewer.status).toBe(403);
  });
});
