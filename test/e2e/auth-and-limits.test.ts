import { describe, expect, it } from 'vitest';
import type { WorkPage } from '#app/schemas/views';
import { createWork, registerAgent, stackClients, uniqueName } from '#test/support/e2e-fixtures';

const createBody = (team: string, extra: Record<string, unknown> = {}) => ({
  type: 'task',
  title: 'limits',
  team,
  ...extra,
});

describe('authentication and authorization', () => {
  it('answers 401 unauthorized without a token and with an unknown one', async () => {
    const { anonymous, admin } = stackClients();

    const missing = await anonymous.get('/v1/work');
    const unknown = await admin.get('/v1/work', { token: 'nobody.knows-this-secret' });
    const garbage = await admin.get('/v1/work', { token: 'garbage' });

    for (const response of [missing, unknown, garbage]) {
      expect(response.status, response.text).toBe(401);
      expect(response.error?.code).toBe('unauthorized');
      expect(response.headers.get('x-request-id')).toMatch(/.+/);
    }
  });

  it('answers 403 forbidden to a role the route does not allow', async () => {
    const { registration } = stackClients();
    const agent = await registerAgent(uniqueName('auth'));

    const registrationReadsWork = await registration.get('/v1/work');
    const agentIssuesTokens = await agent.api.post('/v1/tokens', { role: 'viewer' });
    const agentReadsAudit = await agent.api.get('/v1/audit');

    for (const response of [registrationReadsWork, agentIssuesTokens, agentReadsAudit]) {
      expect(response.status, response.text).toBe(403);
      expect(response.error?.code).toBe('forbidden');
    }
  });

  it('answers 403 to an agent acting as another agent', async () => {
    const team = uniqueName('auth');
    const alice = await registerAgent(team);
    const bob = await registerAgent(team);
    const item = await createWork(team);

    const claimAsBob = await alice.api.post(`/v1/work/${item.id}/claim`, { agentId: bob.id });
    const readBob = await alice.api.get(`/v1/agents/${bob.id}`);

    expect(claimAsBob.status, claimAsBob.text).toBe(403);
    expect(readBob.status, readBob.text).toBe(403);
  });
});

describe('content type and size limits', () => {
  it('answers 415 unsupported_media_type to a body that is not JSON and creates nothing', async () => {
    const { admin } = stackClients();
    const team = uniqueName('limits');

    const response = await admin.request('POST', '/v1/work', {
      rawBody: JSON.stringify(createBody(team)),
      contentType: 'text/plain',
    });

    expect(response.status, response.text).toBe(415);
    expect(response.error?.code).toBe('unsupported_media_type');
    const page = await admin.get<WorkPage>(`/v1/work?team=${team}`);
    expect(page.body.items).toEqual([]);
  });

  it('answers 413 payload_too_large to a body over 64 KiB and creates nothing', async () => {
    const { admin } = stackClients();
    const team = uniqueName('limits');

    const response = await admin.post('/v1/work', createBody(team, { description: 'x'.repeat(70 * 1024) }));

    expect(response.status, response.text).toBe(413);
    expect(response.error?.code).toBe('payload_too_large');
    const page = await admin.get<WorkPage>(`/v1/work?team=${team}`);
    expect(page.body.items).toEqual([]);
  });

  it('answers 413 at the gateway to a body over 1 MiB', async () => {
    const { admin } = stackClients();

    const response = await admin.post(
      '/v1/work',
      createBody(uniqueName('limits'), { description: 'x'.repeat(1_100_000) }),
    );

    expect(response.status, response.text).toBe(413);
    expect(response.error?.code).toBe('payload_too_large');
  });
});
