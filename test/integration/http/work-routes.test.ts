import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RESERVATION_SECONDS } from '#functions/shared/idempotency';
import { unique } from '#test/support/builders';
import { ADMIN, call, seedAgent, useHandlerStore } from './handlers';

const store = useHandlerStore('http-work');

const newWork = (team: string, overrides: Record<string, unknown> = {}) => ({
  type: 'build',
  title: `Build ${unique()}`,
  team,
  ...overrides,
});

describe('the work routes on DynamoDB Local', () => {
  it('answers health with the store ok', async () => {
    const answer = await call('health');

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'ok', checks: { store: { status: 'ok' } } });
    expect(answer.headers['x-request-id']).toBeTruthy();
  });

  it('serves the OpenAPI document without a token', async () => {
    const answer = await call('openapi');

    expect(answer.status).toBe(200);
    expect(answer.body.openapi).toBe('3.1.0');
    expect(answer.body.paths['/v1/work/claim-next'].post.operationId).toBe('claimNext');
  });

  it('creates an item with a server-made id and reads it back', async () => {
    const team = `t-${unique()}`;

    const created = await call('createWork', { token: ADMIN, body: newWork(team, { priority: 'high' }) });
    const read = await call('getWork', { token: ADMIN, params: { id: created.body.id } });

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ team, status: 'ready', priority: 'high', attempts: 0, version: 1 });
    expect(created.body.id).toMatch(/^wi_/);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(expect.objectContaining({ id: created.body.id, status: 'ready' }));
  });

  it('answers 404 not_found for an unknown item', async () => {
    const answer = await call('getWork', { token: ADMIN, params: { id: 'wi_nothing_here' } });

    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('not_found');
  });

  it('gives claim-next the most urgent item first, then the next, then 204', async () => {
    const team = `t-${unique()}`;
    const { agent, token } = await seedAgent(store(), { team, capacity: 3 });
    const low = await call('createWork', { token: ADMIN, body: newWork(team, { priority: 'low' }) });
    const critical = await call('createWork', {
      token: ADMIN,
      body: newWork(team, { priority: 'critical' }),
    });

    const first = await call('claimNext', { token, body: { agentId: agent.id } });
    const second = await call('claimNext', { token, body: { agentId: agent.id } });
    const third = await call('claimNext', { token, body: { agentId: agent.id } });

    expect(first.status).toBe(200);
    expect(first.body.item).toMatchObject({ id: critical.body.id, status: 'claimed' });
    expect(first.body.claim.token).toEqual(expect.any(String));
    expect(second.body.item.id).toBe(low.body.id);
    expect(third.status).toBe(204);
    expect(third.body).toBeUndefined();
  });

  it('fences completion with the claim token and never shows the token to readers', async () => {
    const team = `t-${unique()}`;
    const { agent, token } = await seedAgent(store(), { team });
    const item = await call('createWork', { token: ADMIN, body: newWork(team) });
    const claim = await call('claimWork', {
      token,
      params: { id: item.body.id },
      body: { agentId: agent.id },
    });

    const stale = await call('completeWork', {
      token,
      params: { id: item.body.id },
      body: { claimToken: 'not-the-token', result: 'done' },
    });
    const completed = await call('completeWork', {
      token,
      params: { id: item.body.id },
      body: { claimToken: claim.body.claim.token, result: 'done' },
    });
    const read = await call('getWork', { token: ADMIN, params: { id: item.body.id } });

    expect(claim.status).toBe(200);
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('stale_claim');
    expect(completed.status).toBe(200);
    expect(completed.body).toMatchObject({ status: 'completed', result: 'done' });
    expect(JSON.stringify(read.body)).not.toContain(claim.body.claim.token);
  });

  it('replays a keyed create and refuses the key with another body', async () => {
    const team = `t-${unique()}`;
    const key = `key-${unique()}`;
    const body = newWork(team);

    const first = await call('createWork', { token: ADMIN, body, headers: { 'idempotency-key': key } });
    const replay = await call('createWork', { token: ADMIN, body, headers: { 'idempotency-key': key } });
    const other = await call('createWork', {
      token: ADMIN,
      body: { ...body, title: 'Something else' },
      headers: { 'idempotency-key': key },
    });
    const listed = await call('listWork', { token: ADMIN, query: { team } });

    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(replay).toMatchObject({ status: 201, body: first.body });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.headers['x-request-id']).toBeTruthy();
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_conflict');
    expect(listed.body.items).toHaveLength(1);
  });

  it('creates one item for concurrent requests with one key', async () => {
    const team = `t-${unique()}`;
    const key = `key-${unique()}`;
    const body = newWork(team);

    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        call('createWork', { token: ADMIN, body, headers: { 'idempotency-key': key } }),
      ),
    );
    const listed = await call('listWork', { token: ADMIN, query: { team } });

    const ids = new Set(answers.filter((a) => a.status === 201).map((a) => a.body.id));
    expect(ids.size).toBe(1);
    for (const answer of answers.filter((a) => a.status !== 201)) {
      expect(answer.status).toBe(409);
      expect(answer.body.error.code).toBe('idempotency_conflict');
    }
    expect(listed.body.items).toHaveLength(1);
  });

  it('runs a keyed request again once the reservation of one that died without an answer has lapsed', async () => {
    const team = `t-${unique()}`;
    const key = `key-${unique()}`;
    const scope = createHash('sha256')
      .update(['admin', 'POST', '/v1/work', key].join('\n'))
      .digest('base64url');
    const nowSeconds = Math.floor(Date.now() / 1000);
    await store().ports.idempotency.reserve(
      scope,
      'a request that crashed',
      nowSeconds + RESERVATION_SECONDS,
    );

    const whileReserved = await call('createWork', {
      token: ADMIN,
      body: newWork(team),
      headers: { 'idempotency-key': key },
    });
    await store().ports.idempotency.release(scope);
    await store().ports.idempotency.reserve(scope, 'a request that crashed', nowSeconds - 1);
    const afterLapse = await call('createWork', {
      token: ADMIN,
      body: newWork(team),
      headers: { 'idempotency-key': key },
    });
    const replay = await call('createWork', {
      token: ADMIN,
      body: newWork(team),
      headers: { 'idempotency-key': key },
    });

    expect(whileReserved.status).toBe(409);
    expect(whileReserved.body.error.code).toBe('idempotency_conflict');
    expect(afterLapse.status).toBe(201);
    expect(replay.status).toBe(409);
  });

  it('scopes idempotency keys to the caller', async () => {
    const team = `t-${unique()}`;
    const key = `key-${unique()}`;
    const { token } = await seedAgent(store(), { team });

    const byAdmin = await call('createWork', {
      token: ADMIN,
      body: newWork(team),
      headers: { 'idempotency-key': key },
    });
    const byAgent = await call('createWork', {
      token,
      body: newWork(team),
      headers: { 'idempotency-key': key },
    });

    expect(byAdmin.status).toBe(201);
    expect(byAgent.status).toBe(201);
    expect(byAgent.body.id).not.toBe(byAdmin.body.id);
  });

  it('answers 401, then 403, before reading the body', async () => {
    const { token } = await seedAgent(store());

    const anonymous = await call('createWork', {
      body: 'not json',
      headers: { 'content-type': 'text/plain' },
    });
    const agentOnAdminRoute = await call('reassignWork', {
      token,
      params: { id: 'wi_x' },
      body: '{broken',
      headers: { 'content-type': 'application/json' },
    });

    expect(anonymous.status).toBe(401);
    expect(agentOnAdminRoute.status).toBe(403);
  });

  it('refuses an agent acting as another agent with 403', async () => {
    const { token } = await seedAgent(store());
    const { agent: other } = await seedAgent(store());

    const answer = await call('claimNext', { token, body: { agentId: other.id } });

    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('forbidden');
  });

  it('answers 400 with each bad field before looking the item up', async () => {
    const { token } = await seedAgent(store());

    const answer = await call('reportProgress', {
      token,
      params: { id: 'wi_missing' },
      body: { progress: 101, colour: 'teal' },
    });

    expect(answer.status).toBe(400);
    expect(answer.body.error.details.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '/claimToken',
      '/colour',
      '/progress',
    ]);
  });
});
