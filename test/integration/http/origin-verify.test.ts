/**
 * A stage whose per-IP limit sits on CloudFront: the real handlers, configured with an origin
 * secret, refuse a request that did not come through CloudFront (no `x-origin-verify` header, or
 * a wrong one) with 403 before authentication and before any store work, and serve one that did.
 */
import { describe, expect, it, vi } from 'vitest';
import { ORIGIN_REFUSED_MESSAGE, ORIGIN_VERIFY_HEADER } from '#functions/shared/origin-verify';
import { unique } from '#test/support/builders';
import { ADMIN, call, useHandlerStore } from './handlers';

const SECRET = 'origin-secret-of-this-stage-0123456789';

vi.hoisted(() => {
  vi.stubEnv('COORD_ORIGIN_SECRET', 'origin-secret-of-this-stage-0123456789');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
});

useHandlerStore('origin-verify');

const newWork = (team: string) => ({ type: 'build', title: 'Write the origin check', team });

describe('the origin check on a stage behind CloudFront', () => {
  it('refuses a request without the header or with a wrong one, and changes nothing', async () => {
    const team = `origin-${unique()}`;
    const missing = await call('createWork', { token: ADMIN, body: newWork(team) });
    const wrong = await call('createWork', {
      token: ADMIN,
      body: newWork(team),
      headers: { [ORIGIN_VERIFY_HEADER]: `${SECRET}x` },
    });
    const health = await call('health');
    const listed = await call('listWork', {
      token: ADMIN,
      query: { team },
      headers: { [ORIGIN_VERIFY_HEADER]: SECRET },
    });

    for (const refused of [missing, wrong, health]) {
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: { code: 'forbidden', message: ORIGIN_REFUSED_MESSAGE } });
    }
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ items: [] });
  });

  it('refuses before authentication: a bad token without the header is 403, not 401', async () => {
    const answer = await call('listWork', { token: 'not-a-token' });

    expect(answer.status).toBe(403);
  });

  it('serves a request that carries the header', async () => {
    const team = `origin-${unique()}`;
    const created = await call('createWork', {
      token: ADMIN,
      body: newWork(team),
      headers: { [ORIGIN_VERIFY_HEADER]: SECRET },
    });
    const health = await call('health', { headers: { [ORIGIN_VERIFY_HEADER]: SECRET } });

    expect(created.status).toBe(201);
    expect(health.status).toBe(200);
  });
});
