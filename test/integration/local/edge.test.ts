/**
 * What the edge answers without a route's handler, locally (the gateway) and on AWS (the
 * `$default` route's fallback handler), and what the real handlers add there: the same 405 and
 * `allow` for every route of the table, CORS only for configured origins, and body limits split
 * as on AWS (API Gateway's own 413 above 10 MiB, the route's `limitBytes` below).
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GATEWAY_BODY_LIMIT_BYTES } from '#app/edge';
import { handler as fallback } from '#functions/http/fallback';
import { ROUTES } from '#functions/shared/routes';
import { type HttpGateway, startHttpGateway } from '#local/http-gateway';
import { ApiClient } from '#test/support/http-client';
import { apiEvent } from '../../unit/functions/support/api-event';

const ORIGIN = 'https://app.example';
const ADMIN = 'edge-admin-token';

// Handlers and the fallback read their configuration once, at cold start, as on Lambda.
vi.hoisted(() => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  vi.stubEnv('COORD_CORS_ORIGINS', 'https://app.example');
  vi.stubEnv('COORD_ADMIN_TOKEN', 'edge-admin-token');
  vi.stubEnv('COORD_REGISTRATION_KEY', 'edge-registration-key');
  vi.stubEnv('COORD_ADMIN_TOKEN_SECRET_ARN', '');
  vi.stubEnv('COORD_REGISTRATION_KEY_SECRET_ARN', '');
  vi.stubEnv('COORD_TABLE_PREFIX', 'edge-no-store');
  // Nothing listens here: no test below may reach the store.
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', 'http://127.0.0.1:9');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
});

let gateway: HttpGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

/** The local gateway over the real route table and the real handler modules. */
const localApi = async (options: { recording?: boolean } = {}) => {
  const calls: string[] = [];
  gateway = await startHttpGateway({
    routes: ROUTES,
    port: 0,
    corsOrigins: [ORIGIN],
    onFailure: () => undefined,
    ...(options.recording && {
      loadHandler: async (route) => async () => {
        calls.push(route.id);
        return { statusCode: 204 };
      },
    }),
  });
  // Recording stand-ins answer in the service's place: only the real handlers' replies are checked.
  return { api: new ApiClient(gateway.url, undefined, { checkReplies: !options.recording }), calls };
};

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const concrete = (path: string): string => path.replace(/\{[^}]+\}/g, 'x-1');
/** The methods the table takes on a path, HEAD with GET: what `allow` must say, worked out apart from the matcher. */
const allowOf = (path: string): string[] => {
  const methods = ROUTES.filter((route) => route.path === path).map((route) => route.method as string);
  return [...new Set(methods.includes('GET') ? [...methods, 'HEAD'] : methods)].sort();
};
/** Whether API Gateway routes this concrete path to the template (`{name}` is one segment). */
const takes = (template: string, rawPath: string): boolean => {
  const want = template.split('/');
  const got = rawPath.split('/');
  return want.length === got.length && want.every((part, i) => part === got[i] || /^\{[^}+]+\}$/.test(part));
};
/** Every route with a method that no route takes on its path (such a request reaches no handler). */
const wrongMethods = ROUTES.flatMap((route) =>
  METHODS.filter(
    (method) => !ROUTES.some((other) => other.method === method && takes(other.path, concrete(route.path))),
  ).map((method) => ({ id: route.id, path: route.path, method })),
);

const fallbackAnswer = async (method: string, path: string, headers: Record<string, string> = {}) =>
  (await fallback(apiEvent({ method, path, headers }))) as APIGatewayProxyStructuredResultV2;

describe('a known path with another method', () => {
  it('covers every route of the table', () => {
    expect(new Set(wrongMethods.map((c) => c.id))).toEqual(new Set(ROUTES.map((route) => route.id)));
  });

  it.each(wrongMethods)(
    '$method $path: 405 with the same allow locally and via the fallback route',
    async ({ method, path }) => {
      const { api, calls } = await localApi({ recording: true });
      const rawPath = concrete(path);

      const local = await api.request<{ error: unknown }>(method, rawPath, {
        ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }),
      });
      const aws = await fallbackAnswer(method, rawPath);

      const allow = allowOf(path);
      expect(local.status).toBe(405);
      expect(local.headers.get('allow')).toBe(allow.join(', '));
      expect(local.body).toEqual({
        error: {
          code: 'method_not_allowed',
          message: `${method} is not allowed on ${rawPath}; use ${allow.join(' or ')}.`,
          details: { allow },
        },
      });
      expect(calls).toEqual([]);
      expect(aws.statusCode).toBe(405);
      expect(aws.headers?.allow).toBe(allow.join(', '));
      expect(JSON.parse(aws.body ?? '')).toEqual(local.body);
    },
  );

  it('answers OPTIONS with allow, alike locally and via the fallback route', async () => {
    const { api } = await localApi({ recording: true });

    const local = await api.request('OPTIONS', '/v1/work/x-1/claim');
    const aws = await fallbackAnswer('OPTIONS', '/v1/work/x-1/claim');

    expect(local.status).toBe(204);
    expect(local.headers.get('allow')).toBe('POST, OPTIONS');
    expect(aws).toMatchObject({ statusCode: 204, headers: { allow: 'POST, OPTIONS' } });
    expect(aws.body).toBeUndefined();
  });

  it('answers an unknown path with API Gateway 404 shape, alike locally and via the fallback route', async () => {
    const { api } = await localApi({ recording: true });

    const local = await api.request('DELETE', '/v1/nope');
    const aws = await fallbackAnswer('DELETE', '/v1/nope');

    expect(local.status).toBe(404);
    expect(local.body).toEqual({ message: 'Not Found' });
    expect(aws.statusCode).toBe(404);
    expect(JSON.parse(aws.body ?? '')).toEqual({ message: 'Not Found' });
  });
});

describe('CORS', () => {
  it('answers the preflight of a configured origin, locally and via the fallback route', async () => {
    const { api } = await localApi({ recording: true });
    const headers = { origin: ORIGIN, 'access-control-request-method': 'POST' };

    const local = await api.request('OPTIONS', '/v1/work', { headers });
    const aws = await fallbackAnswer('OPTIONS', '/v1/work', headers);

    for (const answer of [Object.fromEntries(local.headers), aws.headers ?? {}]) {
      expect(answer).toMatchObject({
        'access-control-allow-origin': ORIGIN,
        'access-control-allow-methods': 'GET, HEAD, POST, OPTIONS',
        'access-control-allow-headers': expect.stringContaining('authorization'),
      });
    }
  });

  it('sends no CORS header to another origin, locally and via the fallback route', async () => {
    const { api } = await localApi({ recording: true });
    const headers = { origin: 'https://evil.example', 'access-control-request-method': 'POST' };

    const local = await api.request('OPTIONS', '/v1/work', { headers });
    const aws = await fallbackAnswer('OPTIONS', '/v1/work', headers);

    expect(local.status).toBe(204);
    expect([...local.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
    expect(Object.keys(aws.headers ?? {}).filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  it('adds the CORS headers to a handler answer for a configured origin only', async () => {
    const { api } = await localApi();

    const allowed = await api.request('GET', '/openapi.json', { headers: { origin: ORIGIN } });
    const other = await api.request('GET', '/openapi.json', { headers: { origin: 'https://evil.example' } });

    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(allowed.headers.get('access-control-expose-headers')).toContain('x-request-id');
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('body limits', () => {
  it('lets a body over the route limit reach the handler, which answers with the route limit', async () => {
    const { api } = await localApi();
    const rawBody = 'x'.repeat(2 * 1024 * 1024);

    const work = await api.request('POST', '/v1/work', { rawBody, token: ADMIN });
    const importing = await api.request('POST', '/v1/import', { rawBody, token: ADMIN });

    expect(work.status).toBe(413);
    expect(work.error).toMatchObject({ code: 'payload_too_large', details: { limitBytes: 64 * 1024 } });
    expect(importing.status).toBe(413);
    expect(importing.error).toMatchObject({
      code: 'payload_too_large',
      details: { limitBytes: 1024 * 1024 },
    });
  });

  it("refuses a body above API Gateway's limit with 413 payload_too_large, before any handler", async () => {
    const { api, calls } = await localApi({ recording: true });

    const response = await api.request('POST', '/v1/import', {
      rawBody: 'x'.repeat(GATEWAY_BODY_LIMIT_BYTES + 1),
      token: ADMIN,
    });

    expect(response.status).toBe(413);
    expect(response.error).toMatchObject({
      code: 'payload_too_large',
      details: { limitBytes: GATEWAY_BODY_LIMIT_BYTES },
    });
    expect(calls).toEqual([]);
  });
});
