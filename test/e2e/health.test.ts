import { describe, expect, it } from 'vitest';
import type { HealthView } from '#app/schemas/views';
import { stackClients } from '#test/support/e2e-fixtures';
import { SERVICE_VERSION } from '../../lib/service-version';

describe('the local stack over HTTP', () => {
  it('answers GET /v1/health with 200 and the service status, without a token', async () => {
    const { anonymous } = stackClients();

    const response = await anonymous.get<HealthView>('/v1/health');

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ok', version: SERVICE_VERSION });
    expect(response.body.checks).toEqual(expect.any(Object));
    expect(response.headers.get('x-request-id')).toMatch(/.+/);
  });

  it('gives every request its own x-request-id', async () => {
    const { anonymous } = stackClients();

    const [first, second] = await Promise.all([anonymous.get('/v1/health'), anonymous.get('/v1/health')]);

    expect(first.headers.get('x-request-id')).not.toBe(second.headers.get('x-request-id'));
  });

  it('answers an unknown path as API Gateway does: 404 {"message": "Not Found"}', async () => {
    const { admin } = stackClients();

    const response = await admin.get('/v1/no-such-thing');

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ message: 'Not Found' });
  });

  it('answers a known path with the wrong method with 405 and the allowed methods', async () => {
    const { admin } = stackClients();

    const response = await admin.delete('/v1/health');

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(response.error?.code).toBe('method_not_allowed');
  });

  it('answers GET /v1/work/claim-next with 405: the path takes POST, it names no item', async () => {
    const { admin } = stackClients();

    const response = await admin.get('/v1/work/claim-next');

    expect(response.status).toBe(405);
    expect(response.error?.code).toBe('method_not_allowed');
    expect(response.error?.details).toEqual({ allow: ['POST'] });
  });
});
