import { describe, expect, it } from 'vitest';
import { unique } from '#test/support/builders';
import { ADMIN, call, REGISTRATION, useHandlerStore } from './handlers';

useHandlerStore('http-agents');

const register = (token: string, team: string, id = `agent-${unique()}`) =>
  call('registerAgent', { token, body: { id, team, capabilities: ['ts'], capacity: 2 } });

describe('the agent and admin routes on DynamoDB Local', () => {
  it('registers an agent with the registration key and lets its token read itself', async () => {
    const team = `t-${unique()}`;

    const registered = await register(REGISTRATION, team);
    const { agent, token } = registered.body;
    const read = await call('getAgent', { token, params: { id: agent.id } });

    expect(registered.status).toBe(201);
    expect(agent).toMatchObject({ team, status: 'idle', capacity: 2, activeClaims: 0 });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      id: agent.id,
      health: { score: expect.any(Number) },
    });
  });

  it('answers 409 agent_exists for a second registration of one id', async () => {
    const team = `t-${unique()}`;
    const id = `agent-${unique()}`;
    await register(ADMIN, team, id);

    const again = await register(ADMIN, team, id);

    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('agent_exists');
  });

  it('limits a team registration token to its team', async () => {
    const team = `t-${unique()}`;
    const issued = await call('issueToken', { token: ADMIN, body: { role: 'registration', team } });

    const own = await register(issued.body.token, team);
    const other = await register(issued.body.token, `t-${unique()}`);

    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ role: 'registration', team });
    expect(own.status).toBe(201);
    expect(other.status).toBe(403);
  });

  it('stops a revoked token at once', async () => {
    const issued = await call('issueToken', { token: ADMIN, body: { role: 'viewer', label: 'dashboard' } });
    const before = await call('listAgents', { token: issued.body.token });

    const revoked = await call('revokeToken', { token: ADMIN, params: { id: issued.body.id } });
    const after = await call('listAgents', { token: issued.body.token });

    expect(before.status).toBe(200);
    expect(revoked.status).toBe(204);
    expect(revoked.body).toBeUndefined();
    expect(after.status).toBe(401);
  });

  it('replaces an agent token so the earlier one stops working', async () => {
    const registered = await register(ADMIN, `t-${unique()}`);
    const { agent, token: first } = registered.body;

    const reissued = await call('issueAgentToken', { token: ADMIN, params: { id: agent.id } });
    const withFirst = await call('getAgent', { token: first, params: { id: agent.id } });
    const withNew = await call('getAgent', { token: reissued.body.token, params: { id: agent.id } });

    expect(reissued.status).toBe(201);
    expect(withFirst.status).toBe(401);
    expect(withNew.status).toBe(200);
  });

  it('lets a viewer read but not write', async () => {
    const viewer = await call('issueToken', { token: ADMIN, body: { role: 'viewer' } });

    const read = await call('getConfig', { token: viewer.body.token });
    const write = await call('updateConfig', { token: viewer.body.token, body: { leaseSeconds: 60 } });

    expect(read.status).toBe(200);
    expect(write.status).toBe(403);
  });

  it('merges a partial config change deeply and refuses values out of range', async () => {
    const updated = await call('updateConfig', {
      token: ADMIN,
      body: { leaseSeconds: 120, urgencyWeights: { priority: { low: 50 } } },
    });
    const refused = await call('updateConfig', { token: ADMIN, body: { heartbeatTimeoutMultiple: 11 } });
    const read = await call('getConfig', { token: ADMIN });

    expect(updated.status).toBe(200);
    expect(read.body).toMatchObject({
      leaseSeconds: 120,
      urgencyWeights: { priority: { low: 50, critical: 400 } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.errors).toEqual([
      { path: '/heartbeatTimeoutMultiple', message: 'must be <= 10' },
    ]);
  });

  it('records the x-request-id of the causing request in the audit log', async () => {
    const registered = await call('registerAgent', {
      token: ADMIN,
      requestId: `req-${unique()}`,
      body: { id: `agent-${unique()}`, team: `t-${unique()}` },
    });

    const audit = await call('listAudit', { token: ADMIN, query: { entityId: registered.body.agent.id } });

    expect(audit.status).toBe(200);
    expect(audit.body.items).toEqual([
      expect.objectContaining({ action: 'agent.registered', requestId: registered.headers['x-request-id'] }),
    ]);
  });

  it('lists teams with agent counts by status', async () => {
    const team = `t-${unique()}`;
    await register(ADMIN, team);

    const teams = await call('listTeams', { token: ADMIN, query: { limit: '200' } });

    expect(teams.status).toBe(200);
    expect(teams.body.items).toContainEqual(
      expect.objectContaining({ team, agents: expect.objectContaining({ idle: 1 }) }),
    );
  });
});
