import { describe, expect, it } from 'vitest';
import { unique } from '#test/support/builders';
import { type EventHandler, invoke } from '../../unit/functions/support/api-event';
import { ADMIN, call, seedAgent, useHandlerStore } from './handlers';

const store = useHandlerStore('http-odd-input');

describe('token rotation takes no body', () => {
  it.each([
    ['an unknown field', { body: { foo: 1 } }, 400],
    ['malformed JSON', { body: 'garbage{', headers: { 'content-type': 'application/json' } }, 400],
    ['plain text', { body: 'hello', headers: { 'content-type': 'text/plain' } }, 415],
  ])('refuses %s and keeps the old token working', async (_name, request, status) => {
    const { agent, token } = await seedAgent(store());

    const answer = await call('issueAgentToken', { token: ADMIN, params: { id: agent.id }, ...request });
    const stillWorks = await call('getAgent', { token, params: { id: agent.id } });

    expect(answer.status).toBe(status);
    expect(stillWorks.status).toBe(200);
  });

  it.each([
    ['no body', {}],
    ['an empty object', { body: {} }],
  ])('rotates with %s', async (_name, request) => {
    const { agent, token } = await seedAgent(store());

    const answer = await call('issueAgentToken', { token: ADMIN, params: { id: agent.id }, ...request });
    const old = await call('getAgent', { token, params: { id: agent.id } });

    expect(answer.status).toBe(201);
    expect(old.status).toBe(401);
  });
});

describe('tokens of roles a team cannot limit', () => {
  it.each(['viewer', 'admin'])('refuses a team on a %s token with 400 on /team', async (role) => {
    const answer = await call('issueToken', { token: ADMIN, body: { role, team: `t-${unique()}` } });

    expect(answer.status).toBe(400);
    expect(answer.body.error.details.errors).toEqual([
      {
        path: '/team',
        message: `cannot limit a ${role} token; only registration and member tokens take a team`,
      },
    ]);
  });

  it('keeps a team on a registration token', async () => {
    const answer = await call('issueToken', { token: ADMIN, body: { role: 'registration', team: 't1' } });

    expect(answer.status).toBe(201);
    expect(answer.body.team).toBe('t1');
  });
});

describe('instants', () => {
  it('stores and returns a deadline written with an offset in UTC', async () => {
    const created = await call('createWork', {
      token: ADMIN,
      body: { type: 'build', title: 'offset', team: `t-${unique()}`, deadline: '2027-01-01T00:00:00+05:00' },
    });
    const read = await call('getWork', { token: ADMIN, params: { id: created.body.id } });

    expect(created.status).toBe(201);
    expect(created.body.deadline).toBe('2026-12-31T19:00:00.000Z');
    expect(read.body.deadline).toBe('2026-12-31T19:00:00.000Z');
  });
});

describe('messages that say what is wrong', () => {
  it.each([
    ['limit', 'limit=1&limit=2'],
    ['team', 'team=a&team=b'],
  ])('answers "is given more than once" for a repeated %s', async (name, rawQuery) => {
    const [first, second] = rawQuery.split('&').map((pair) => pair.split('=')[1] ?? '');
    const answer = await call('listWork', {
      token: ADMIN,
      query: { [name]: `${first},${second}` },
      rawQueryString: rawQuery,
    });

    expect(answer.status).toBe(400);
    expect(answer.body.error.details.errors).toEqual([
      { path: `/${name}`, message: 'is given more than once' },
    ]);
  });

  it('tells a retired agent it is retired, not retiring', async () => {
    const team = `t-${unique()}`;
    const { agent, token } = await seedAgent(store(), {
      team,
      retirement: {
        mode: 'drain',
        requestedAt: '2026-01-01T00:00:00.000Z',
        retiredAt: '2026-01-01T00:00:01.000Z',
      },
    });

    const answer = await call('claimNext', { token, body: { agentId: agent.id } });

    expect(answer.status).toBe(409);
    expect(answer.body.error.message).toBe(`Agent ${agent.id} is retired and takes no new work.`);
  });
});

describe('a known path with another method', () => {
  it('answers GET /v1/work/claim-next with 405 naming POST, not "No work with id claim-next"', async () => {
    const answer = await call('getWork', { token: ADMIN, params: { id: 'claim-next' } });

    expect(answer.status).toBe(405);
    expect(answer.body.error).toMatchObject({
      code: 'method_not_allowed',
      message: 'GET is not allowed on /v1/work/claim-next; use POST.',
      details: { allow: ['POST'] },
    });
  });

  it('still reads an item whose id only looks like a word', async () => {
    const answer = await call('getWork', { token: ADMIN, params: { id: 'claim-later' } });

    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('not_found');
  });
});

describe('HEAD on the handlers', () => {
  it('answers HEAD like GET, without a body', async () => {
    const { handler } = await import('../../../functions/http/health');

    const answer = await invoke(handler as EventHandler, { method: 'HEAD', path: '/v1/health' });

    expect(answer.status).toBe(200);
    expect(answer.body).toBeUndefined();
    expect(answer.headers['x-request-id']).toBeTruthy();
  });

  it('sends allow with a 405', async () => {
    const answer = await call('getWork', { token: ADMIN, params: { id: 'claim-next' } });

    expect(answer.headers.allow).toBe('POST');
  });
});
