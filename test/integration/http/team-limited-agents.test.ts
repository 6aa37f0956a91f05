import { describe, expect, it } from 'vitest';
import { unique } from '#test/support/builders';
import { ADMIN, call, useHandlerStore } from './handlers';

useHandlerStore('http-team-limited');

const newWork = (team: string) => ({ type: 'build', title: `Build ${unique()}`, team });

/** An agent of `home` registered with a registration token limited to `home`. */
const limitedAgent = async (home: string): Promise<{ id: string; token: string }> => {
  const key = await call('issueToken', { token: ADMIN, body: { role: 'registration', team: home } });
  const id = `a-${unique()}`;
  const registered = await call('registerAgent', { token: key.body.token, body: { id, team: home } });
  expect(registered.status).toBe(201);
  return { id, token: registered.body.token };
};

const expectForbidden = (answer: { status: number; body: { error: { code: string } } }): void => {
  expect(answer.status).toBe(403);
  expect(answer.body.error.code).toBe('forbidden');
};

describe('agents registered with a team-limited registration token', () => {
  it('claim, claim next and create work in their own team only; refusals change nothing', async () => {
    const home = `t-${unique()}`;
    const elsewhere = `t-${unique()}`;
    const agent = await limitedAgent(home);
    const foreign = await call('createWork', { token: ADMIN, body: newWork(elsewhere) });
    const own = await call('createWork', { token: ADMIN, body: newWork(home) });

    const claimForeign = await call('claimWork', {
      token: agent.token,
      params: { id: foreign.body.id },
      body: { agentId: agent.id },
    });
    const nextForeign = await call('claimNext', {
      token: agent.token,
      body: { agentId: agent.id, teams: [elsewhere] },
    });
    const createForeign = await call('createWork', { token: agent.token, body: newWork(elsewhere) });
    const claimOwn = await call('claimWork', {
      token: agent.token,
      params: { id: own.body.id },
      body: { agentId: agent.id },
    });
    const createOwn = await call('createWork', { token: agent.token, body: newWork(home) });

    expectForbidden(claimForeign);
    expectForbidden(nextForeign);
    expectForbidden(createForeign);
    expect(claimOwn.status).toBe(200);
    expect(createOwn.status).toBe(201);
    const foreignNow = await call('getWork', { token: ADMIN, params: { id: foreign.body.id } });
    expect(foreignNow.body).toMatchObject({ status: 'ready', version: foreign.body.version });
    const foreignList = await call('listWork', { token: ADMIN, query: { team: elsewhere } });
    expect(foreignList.body.items).toHaveLength(1);
  });

  it('are not assigned work of another team, and keep the limit on a token the admin issues', async () => {
    const home = `t-${unique()}`;
    const agent = await limitedAgent(home);
    const foreign = await call('createWork', { token: ADMIN, body: newWork(`t-${unique()}`) });

    const reassigned = await call('reassignWork', {
      token: ADMIN,
      params: { id: foreign.body.id },
      body: { agentId: agent.id },
    });
    const reissued = await call('issueAgentToken', { token: ADMIN, params: { id: agent.id }, body: {} });
    const claimWithNewToken = await call('claimWork', {
      token: reissued.body.token,
      params: { id: foreign.body.id },
      body: { agentId: agent.id },
    });

    expectForbidden(reassigned);
    expect(reissued.status).toBe(201);
    expectForbidden(claimWithNewToken);
  });

  it('leave agents registered with the unlimited key free to work in any team', async () => {
    const id = `a-${unique()}`;
    const registered = await call('registerAgent', {
      token: ADMIN,
      body: { id, team: `t-${unique()}` },
    });
    const foreign = await call('createWork', { token: ADMIN, body: newWork(`t-${unique()}`) });

    const claim = await call('claimWork', {
      token: registered.body.token,
      params: { id: foreign.body.id },
      body: { agentId: id },
    });

    expect(claim.status).toBe(200);
  });
});
