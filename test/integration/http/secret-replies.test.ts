import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { holdsSecret } from '#functions/shared/idempotency';
import { unique } from '#test/support/builders';
import { ADMIN, call, REGISTRATION, seedAgent, useHandlerStore } from './handlers';

const store = useHandlerStore('http-secret-replies');

const scopeOf = (principalId: string, path: string, key: string): string =>
  createHash('sha256').update([principalId, 'POST', path, key].join('\n')).digest('base64url');

/** The body stored under a key (reserving a taken key returns what is stored). */
const storedBody = async (scope: string): Promise<string | undefined> =>
  (await store().ports.idempotency.reserve(scope, 'probe', Math.floor(Date.now() / 1000) + 60))?.body;

describe('stored answers of keyed requests that carry secrets', () => {
  it('never replays a token registered with the shared registration key, and stores none', async () => {
    const key = `key-${unique()}`;
    const body = { id: `a-${unique()}`, team: `t-${unique()}` };
    const headers = { 'idempotency-key': key };

    const first = await call('registerAgent', { token: REGISTRATION, body, headers });
    const otherHolder = await call('registerAgent', { token: REGISTRATION, body, headers });

    expect(first.status).toBe(201);
    expect(typeof first.body.token).toBe('string');
    expect(otherHolder.status).toBe(409);
    expect(otherHolder.body.error.code).toBe('idempotency_conflict');
    expect(JSON.stringify(otherHolder.body)).not.toContain(first.body.token);
    const stored = await storedBody(scopeOf('registration', '/v1/agents', key));
    expect(stored).toBeDefined();
    expect(stored).not.toContain(first.body.token);
  });

  it('does not replay a token the built-in admin issued', async () => {
    const key = `key-${unique()}`;
    const headers = { 'idempotency-key': key };
    const body = { role: 'viewer', label: `l-${unique()}` };

    const first = await call('issueToken', { token: ADMIN, body, headers });
    const replay = await call('issueToken', { token: ADMIN, body, headers });

    expect(first.status).toBe(201);
    expect(replay.status).toBe(409);
    expect(JSON.stringify(replay.body)).not.toContain(first.body.token);
  });

  it('replays a claim token to the agent that claimed, while the store holds it sealed', async () => {
    const team = `t-${unique()}`;
    const { agent, token } = await seedAgent(store(), { team });
    const created = await call('createWork', { token: ADMIN, body: { type: 'build', title: 'x', team } });
    const key = `key-${unique()}`;
    const request = {
      token,
      params: { id: created.body.id },
      body: { agentId: agent.id },
      headers: { 'idempotency-key': key },
    };

    const first = await call('claimWork', request);
    const replay = await call('claimWork', request);

    expect(first.status).toBe(200);
    expect(replay.status).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.claim.token).toBe(first.body.claim.token);
    const stored = await storedBody(scopeOf(agent.id, `/v1/work/${created.body.id}/claim`, key));
    expect(stored).toBeDefined();
    expect(stored).not.toContain(first.body.claim.token);
  });

  it('stores an answer without a secret as it is', async () => {
    const key = `key-${unique()}`;
    const body = { type: 'build', title: 'plain', team: `t-${unique()}` };

    const first = await call('createWork', { token: ADMIN, body, headers: { 'idempotency-key': key } });

    expect(await storedBody(scopeOf('admin', '/v1/work', key))).toBe(JSON.stringify(first.body));
  });

  it('tells answers with a token at any depth from answers without one', () => {
    expect(holdsSecret('{"agent":{"id":"a"},"token":"t.s"}')).toBe(true);
    expect(holdsSecret('{"item":{},"claim":{"token":"c","leaseExpiresAt":"x"}}')).toBe(true);
    expect(holdsSecret('{"items":[{"claim":{"token":"c"}}]}')).toBe(true);
    expect(holdsSecret('{"id":"w","tokenId":"x","claim":{"agentId":"a"}}')).toBe(false);
    expect(holdsSecret('not json')).toBe(false);
  });
});
