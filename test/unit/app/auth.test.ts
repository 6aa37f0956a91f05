import { describe, expect, it } from 'vitest';
import { sha256Hasher } from '#adapters/system/hasher';
import { authenticate, authorize } from '#app/auth';
import { ForbiddenError, UnauthorizedError } from '#core/errors';
import type { TokenRecord, TokenRepository } from '#core/ports';
import { Role } from '#core/roles';

const secrets = { adminToken: 'admin-token-123', registrationKey: 'registration-key-123' };

const issued = (record: Omit<TokenRecord, 'secretHash' | 'createdAt'>, secret: string): TokenRecord => ({
  ...record,
  secretHash: sha256Hasher.hash(secret),
  createdAt: '2026-01-01T00:00:00.000Z',
});

// A fixed token table: the repository's own behaviour is tested against DynamoDB Local.
const tokenTable = (...records: TokenRecord[]): TokenRepository & { lookups: string[] } => {
  const lookups: string[] = [];
  return {
    lookups,
    list: async () => ({ items: [] }),
    get: async (id) => {
      lookups.push(id);
      return records.find((r) => r.id === id);
    },
  };
};

const NOW = new Date('2026-06-01T00:00:00.000Z');
const depsWith = (...records: TokenRecord[]) => ({
  tokens: tokenTable(...records),
  hasher: sha256Hasher,
  clock: { now: () => NOW },
});

describe('authenticate', () => {
  it('recognises the admin token', async () => {
    await expect(authenticate(depsWith(), 'Bearer admin-token-123', secrets)).resolves.toEqual({
      role: Role.Admin,
      id: 'admin',
    });
  });

  it('recognises the registration key, with any case of the scheme', async () => {
    await expect(authenticate(depsWith(), 'bearer registration-key-123', secrets)).resolves.toEqual({
      role: Role.Registration,
      id: 'registration',
    });
  });

  it('gives an agent token the agent as its principal', async () => {
    const deps = depsWith(issued({ id: 'tok_a', role: Role.Agent, agentId: 'agent-1' }, 'sec'));

    await expect(authenticate(deps, 'Bearer tok_a.sec', secrets)).resolves.toEqual({
      role: Role.Agent,
      id: 'agent-1',
      agentId: 'agent-1',
    });
  });

  it('refuses a token from the instant it expires, and accepts it until then', async () => {
    const deps = depsWith(
      issued({ id: 'tok_old', role: Role.Viewer, expiresAt: NOW.toISOString() }, 'sec'),
      issued({ id: 'tok_new', role: Role.Viewer, expiresAt: '2026-06-01T00:00:00.001Z' }, 'sec'),
    );

    await expect(authenticate(deps, 'Bearer tok_old.sec', secrets)).rejects.toThrow(UnauthorizedError);
    await expect(authenticate(deps, 'Bearer tok_new.sec', secrets)).resolves.toEqual({
      role: Role.Viewer,
      id: 'tok_new',
    });
  });

  it('gives an agent of a team-limited registration its team, and other agents none', async () => {
    const deps = depsWith(
      issued({ id: 'tok_l', role: Role.Agent, agentId: 'a-1', team: 'blue', limitedToTeam: true }, 'sec'),
      issued({ id: 'tok_f', role: Role.Agent, agentId: 'a-2', team: 'blue' }, 'sec'),
    );

    await expect(authenticate(deps, 'Bearer tok_l.sec', secrets)).resolves.toEqual({
      role: Role.Agent,
      id: 'a-1',
      agentId: 'a-1',
      team: 'blue',
    });
    await expect(authenticate(deps, 'Bearer tok_f.sec', secrets)).resolves.toEqual({
      role: Role.Agent,
      id: 'a-2',
      agentId: 'a-2',
    });
  });

  it('carries the team of a team-limited token and names it by its token id', async () => {
    const deps = depsWith(issued({ id: 'tok_r', role: Role.Registration, team: 'blue' }, 'sec'));

    await expect(authenticate(deps, 'Bearer tok_r.sec', secrets)).resolves.toEqual({
      role: Role.Registration,
      id: 'tok_r',
      team: 'blue',
    });
  });

  it('names an issued viewer token by its token id without a team', async () => {
    const deps = depsWith(issued({ id: 'tok_v', role: Role.Viewer }, 'sec'));

    await expect(authenticate(deps, 'Bearer tok_v.sec', secrets)).resolves.toEqual({
      role: Role.Viewer,
      id: 'tok_v',
    });
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['another scheme', 'Basic YWRtaW46YWRtaW4='],
    ['a bearer without token', 'Bearer '],
    ['an unknown token', 'Bearer nothing-like-it'],
    ['a wrong secret', 'Bearer tok_v.wrong'],
    ['an unknown token id', 'Bearer tok_x.sec'],
    ['an admin token with a suffix', 'Bearer admin-token-1234'],
  ])('refuses %s with 401', async (_, header) => {
    const deps = depsWith(issued({ id: 'tok_v', role: Role.Viewer }, 'sec'));

    await expect(authenticate(deps, header, secrets)).rejects.toThrow(UnauthorizedError);
  });

  it('refuses an agent token record without an agent', async () => {
    const deps = depsWith(issued({ id: 'tok_a', role: Role.Agent }, 'sec'));

    await expect(authenticate(deps, 'Bearer tok_a.sec', secrets)).rejects.toThrow(UnauthorizedError);
  });

  it('accepts no fixed credential when none is configured', async () => {
    await expect(authenticate(depsWith(), 'Bearer admin-token-123', {})).rejects.toThrow(UnauthorizedError);
  });

  it('never looks up a token that cannot be an issued one', async () => {
    const deps = depsWith();

    await expect(authenticate(deps, 'Bearer a.b.c', secrets)).rejects.toThrow(UnauthorizedError);
    await expect(authenticate(deps, 'Bearer admin-token-123', secrets)).resolves.toMatchObject({
      role: Role.Admin,
    });
    expect(deps.tokens.lookups).toEqual([]);
  });
});

describe('authorize', () => {
  const viewer = { role: Role.Viewer, id: 'tok_v' } as const;

  it('lets a listed role through', () => {
    expect(() => authorize([Role.Admin, Role.Viewer], viewer)).not.toThrow();
  });

  it('lets anyone use a public route', () => {
    expect(() => authorize('public', viewer)).not.toThrow();
  });

  it('refuses a role the route does not list with 403', () => {
    expect(() => authorize([Role.Admin], viewer)).toThrow(ForbiddenError);
  });
});
