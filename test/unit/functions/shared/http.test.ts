import { createError } from '@middy/util';
import { describe, expect, it, vi } from 'vitest';
import {
  AlreadyClaimedError,
  RateLimitedError,
  UnavailableError,
  UnknownDependencyError,
} from '#core/errors';
import { Role } from '#core/roles';
import { errorAnswer } from '#functions/shared/errors';
import { createHttpRoute, DEFAULT_MAX_BODY_BYTES, type RouteInput } from '#functions/shared/http';
import { logger } from '#functions/shared/observability';
import { type RouteDefinition, routes } from '#functions/shared/routes';
import { type EventHandler, type EventOptions, invoke } from '../support/api-event';
import { ADMIN, AGENT, testHttpRoute, testRuntime } from '../support/runtime';

const httpRoute = testHttpRoute;

/** A handler on a real route that answers with what it received. */
const echo = <R extends RouteDefinition>(route: R, status = 200) => {
  const received: RouteInput<R>[] = [];
  const handler = httpRoute(route, async (input) => {
    received.push(input);
    return { status, body: { body: input.body, query: input.query, params: input.params } };
  }) as unknown as EventHandler;
  return { handler, received };
};

const validWork = { type: 'build', title: 'Build it', team: 'blue' };
const createWork = (overrides: Partial<EventOptions> = {}): EventOptions => ({
  method: 'POST',
  path: '/v1/work',
  token: ADMIN,
  body: validWork,
  ...overrides,
});

describe('the HTTP chain', () => {
  describe('CORS', () => {
    const withOrigins = createHttpRoute({ ...testRuntime, corsOrigins: () => ['https://a.example'] });
    const health = (route: typeof withOrigins) =>
      route(routes.health, async () => ({ status: 200, body: { status: 'ok' } })) as unknown as EventHandler;
    const from = (origin: string): EventOptions => ({
      method: 'GET',
      path: '/v1/health',
      headers: { origin },
    });

    it('adds the CORS headers for a configured origin, on errors too', async () => {
      const answer = await invoke(health(withOrigins), from('https://a.example'));
      const refused = await invoke(
        echo(routes.createWork).handler,
        createWork({ token: undefined, headers: { origin: 'https://a.example' } }),
      );
      const refusedWithOrigins = await invoke(
        withOrigins(routes.createWork, async () => ({ status: 201 })) as unknown as EventHandler,
        createWork({ token: undefined, headers: { origin: 'https://a.example' } }),
      );

      expect(answer.headers['access-control-allow-origin']).toBe('https://a.example');
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
      expect(refusedWithOrigins.status).toBe(401);
      expect(refusedWithOrigins.headers['access-control-allow-origin']).toBe('https://a.example');
    });

    it('adds none for another origin, nor when no origin is configured', async () => {
      const other = await invoke(health(withOrigins), from('https://b.example'));
      const unconfigured = await invoke(health(testHttpRoute), from('https://a.example'));

      expect(Object.keys(other.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
      expect(Object.keys(unconfigured.headers).filter((name) => name.startsWith('access-control-'))).toEqual(
        [],
      );
    });
  });

  describe('order of checks', () => {
    it('answers 401 before looking at content type or body', async () => {
      const { handler, received } = echo(routes.createWork);

      const answer = await invoke(handler, {
        method: 'POST',
        path: '/v1/work',
        headers: { 'content-type': 'text/plain' },
        body: 'not json',
      });

      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('unauthorized');
      expect(received).toHaveLength(0);
    });

    it('answers 401 for a token that matches nothing', async () => {
      const { handler } = echo(routes.createWork);

      const answer = await invoke(handler, createWork({ token: 'tok_nobody.secret' }));

      expect(answer.status).toBe(401);
    });

    it('answers 403 to a role the route does not list, before the body', async () => {
      const { handler } = echo(routes.issueToken);

      const answer = await invoke(handler, {
        method: 'POST',
        path: '/v1/tokens',
        token: AGENT,
        body: '{broken',
        headers: { 'content-type': 'application/json' },
      });

      expect(answer.status).toBe(403);
      expect(answer.body.error.code).toBe('forbidden');
    });

    it('answers 413 before 415 and 400', async () => {
      const { handler } = echo(routes.createWork);

      const answer = await invoke(
        handler,
        createWork({ body: 'x'.repeat(64 * 1024 + 1), headers: { 'content-type': 'text/plain' } }),
      );

      expect(answer.status).toBe(413);
      expect(answer.body.error.code).toBe('payload_too_large');
    });

    it('answers 415 before validating the body', async () => {
      const { handler } = echo(routes.createWork);

      const answer = await invoke(
        handler,
        createWork({ body: 'a=b', headers: { 'content-type': 'text/plain' } }),
      );

      expect(answer.status).toBe(415);
      expect(answer.body.error.code).toBe('unsupported_media_type');
    });
  });

  describe('bodies', () => {
    /** A valid createWork body (padded in `metadata`) of exactly `bytes` bytes as sent. */
    const workBodyOf = (bytes: number): string => {
      const unpadded = JSON.stringify({ ...validWork, metadata: { pad: '' } });
      const body = JSON.stringify({ ...validWork, metadata: { pad: 'p'.repeat(bytes - unpadded.length) } });
      expect(Buffer.byteLength(body)).toBe(bytes);
      return body;
    };
    const sent = (body: string) => createWork({ body, headers: { 'content-type': 'application/json' } });

    it('accepts a body of exactly the route limit, and refuses one byte more with 413', async () => {
      const { handler, received } = echo(routes.createWork, 201);

      const atLimit = await invoke(handler, sent(workBodyOf(DEFAULT_MAX_BODY_BYTES)));
      const overLimit = await invoke(handler, sent(workBodyOf(DEFAULT_MAX_BODY_BYTES + 1)));

      expect(atLimit.status).toBe(201);
      expect(received).toHaveLength(1);
      expect(overLimit.status).toBe(413);
      expect(overLimit.body.error).toMatchObject({
        code: 'payload_too_large',
        details: { limitBytes: DEFAULT_MAX_BODY_BYTES },
      });
    });

    it('counts the limit in bytes, not characters', async () => {
      const { handler } = echo(routes.createWork, 201);
      const twoByteChars = JSON.parse(workBodyOf(DEFAULT_MAX_BODY_BYTES)).metadata.pad.replace(/pp/g, 'é');
      const body = JSON.stringify({ ...validWork, metadata: { pad: `${twoByteChars}é` } });

      const answer = await invoke(handler, sent(body));

      expect(body.length).toBeLessThanOrEqual(DEFAULT_MAX_BODY_BYTES);
      expect(Buffer.byteLength(body)).toBeGreaterThan(DEFAULT_MAX_BODY_BYTES);
      expect(answer.status).toBe(413);
    });

    it('answers malformed JSON with 400 validation_error at path ""', async () => {
      const { handler } = echo(routes.createWork);

      const answer = await invoke(
        handler,
        createWork({ body: '{"type": "build",', headers: { 'content-type': 'application/json' } }),
      );

      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('validation_error');
      expect(answer.body.error.details.errors).toEqual([{ path: '', message: 'must be valid JSON' }]);
    });

    it('accepts a JSON content type with a charset and a base64-encoded body', async () => {
      const { handler, received } = echo(routes.createWork, 201);

      const answer = await invoke(
        handler,
        createWork({
          body: Buffer.from(JSON.stringify(validWork)).toString('base64'),
          isBase64Encoded: true,
          headers: { 'content-type': 'application/json; charset=utf-8' },
        }),
      );

      expect(answer.status).toBe(201);
      expect(received[0]?.body).toMatchObject(validWork);
    });

    it('names each missing and unknown field by its own JSON pointer, once', async () => {
      const { handler } = echo(routes.createWork);

      const answer = await invoke(
        handler,
        createWork({
          body: { type: 'build', favouriteColour: 'teal', priority: 'urgent', businessValue: 101 },
        }),
      );

      expect(answer.status).toBe(400);
      const errors = answer.body.error.details.errors as { path: string; message: string }[];
      expect(errors.map((e) => e.path).sort()).toEqual([
        '/businessValue',
        '/favouriteColour',
        '/priority',
        '/team',
        '/title',
      ]);
      expect(errors.find((e) => e.path === '/priority')?.message).toBe(
        'must be one of: critical, high, medium, low',
      );
      expect(errors.find((e) => e.path === '/team')?.message).toBe('is required');
    });

    it('points into nested objects', async () => {
      const { handler } = echo(routes.updateConfig);

      const answer = await invoke(handler, {
        method: 'PUT',
        path: '/v1/config',
        token: ADMIN,
        body: { urgencyWeights: { priority: { critical: -1, urgent: 5 } } },
      });

      expect(answer.status).toBe(400);
      expect(answer.body.error.details.errors).toEqual([
        { path: '/urgencyWeights/priority/urgent', message: 'is not a known field' },
        { path: '/urgencyWeights/priority/critical', message: 'must be >= 0' },
      ]);
    });

    it('refuses a body that is not an object', async () => {
      const { handler } = echo(routes.createWork);

      const answer = await invoke(handler, createWork({ body: [validWork] }));

      expect(answer.status).toBe(400);
      expect(answer.body.error.details.errors).toEqual([{ path: '', message: 'must be object' }]);
    });

    it('treats an absent body as {} on a route whose fields are all optional', async () => {
      const { handler, received } = echo(routes.retryWork);

      const answer = await invoke(handler, {
        method: 'POST',
        path: '/v1/work/wi_1/retry',
        routePath: '/v1/work/{id}/retry',
        pathParameters: { id: 'wi_1' },
        token: ADMIN,
      });

      expect(answer.status).toBe(200);
      expect(received[0]?.body).toEqual({});
      expect(received[0]?.params).toEqual({ id: 'wi_1' });
    });

    it('fills schema defaults into the body', async () => {
      const { handler, received } = echo(routes.createWork, 201);

      await invoke(handler, createWork());

      expect(received[0]?.body).toEqual({ ...validWork, businessValue: 50 });
    });
  });

  describe('query parameters', () => {
    it('coerces query values to their types and fills defaults', async () => {
      const { handler, received } = echo(routes.listWork);

      const answer = await invoke(handler, {
        method: 'GET',
        path: '/v1/work',
        token: ADMIN,
        query: { limit: '10', status: 'ready' },
      });

      expect(answer.status).toBe(200);
      expect(received[0]?.query).toEqual({ limit: 10, status: 'ready' });
    });

    it('refuses out-of-range and unknown query parameters', async () => {
      const { handler } = echo(routes.listWork);

      const answer = await invoke(handler, {
        method: 'GET',
        path: '/v1/work',
        token: ADMIN,
        query: { limit: '0', colour: 'red' },
      });

      expect(answer.status).toBe(400);
      expect(answer.body.error.details.errors.map((e: { path: string }) => e.path).sort()).toEqual([
        '/colour',
        '/limit',
      ]);
    });
  });

  describe('answers', () => {
    it('carries x-request-id and a JSON content type on successes and errors', async () => {
      const { handler } = echo(routes.createWork, 201);

      const ok = await invoke(handler, createWork({ requestId: 'req-ok' }));
      const refused = await invoke(handler, createWork({ requestId: 'req-no', token: undefined }));

      expect(ok.headers).toMatchObject({ 'x-request-id': 'req-ok', 'content-type': 'application/json' });
      expect(refused.headers).toMatchObject({ 'x-request-id': 'req-no', 'content-type': 'application/json' });
    });

    it('gives the use case the principal and the request id', async () => {
      const { handler, received } = echo(routes.claimNext);

      await invoke(handler, {
        method: 'POST',
        path: '/v1/work/claim-next',
        token: AGENT,
        body: { agentId: 'agent-1' },
        requestId: 'req-42',
      });

      expect(received[0]?.ctx).toEqual({
        principal: { role: Role.Agent, id: 'agent-1', agentId: 'agent-1' },
        requestId: 'req-42',
      });
    });

    it('answers 204 without a body', async () => {
      const handler = httpRoute(routes.claimNext, async () => ({ status: 204 })) as unknown as EventHandler;

      const answer = await invoke(handler, {
        method: 'POST',
        path: '/v1/work/claim-next',
        token: AGENT,
        body: { agentId: 'agent-1' },
      });

      expect(answer.status).toBe(204);
      expect(answer.body).toBeUndefined();
      expect(answer.headers['x-request-id']).toBeTruthy();
    });

    it('serves a public route without a token', async () => {
      const handler = httpRoute(routes.health, async () => ({
        status: 200,
        body: { up: true },
      })) as unknown as EventHandler;

      const answer = await invoke(handler, { method: 'GET', path: '/v1/health' });

      expect(answer).toMatchObject({ status: 200, body: { up: true } });
    });

    it('refuses an Idempotency-Key longer than 128 characters with 400', async () => {
      const { handler, received } = echo(routes.createWork);

      const answer = await invoke(handler, createWork({ headers: { 'idempotency-key': 'k'.repeat(129) } }));

      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('validation_error');
      expect(received).toHaveLength(0);
    });
  });

  describe('error mapping', () => {
    const failing = (error: unknown) =>
      httpRoute(routes.createWork, async () => {
        throw error;
      }) as unknown as EventHandler;

    it('answers a domain conflict with its status, code and details', async () => {
      const holder = {
        agentId: 'agent-2',
        status: 'active',
        lastHeartbeatAt: '2026-01-01T00:00:00.000Z',
        leaseExpiresAt: '2026-01-01T00:05:00.000Z',
      };

      const answer = await invoke(failing(new AlreadyClaimedError('wi_1', holder)), createWork());

      expect(answer.status).toBe(409);
      expect(answer.body.error).toMatchObject({ code: 'already_claimed', details: { holder } });
    });

    it('answers unknown_dependency with 400', async () => {
      const answer = await invoke(failing(new UnknownDependencyError(['wi_x'])), createWork());

      expect(answer.status).toBe(400);
      expect(answer.body.error.details).toEqual({ missing: ['wi_x'] });
    });

    it('answers 503 with Retry-After when a dependency is unavailable', async () => {
      const answer = await invoke(
        failing(new UnavailableError('DynamoDB is throttling.', { retryAfterSeconds: 2 })),
        createWork(),
      );

      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toBe('2');
      expect(answer.body.error.code).toBe('unavailable');
    });

    it('answers 429 with Retry-After once a token has spent its burst, other tokens unaffected', async () => {
      const limited = createHttpRoute({ ...testRuntime, rateLimit: () => ({ perSecond: 1, burst: 2 }) });
      const handler = limited(routes.listWork, async () => ({ status: 200, body: { items: [] } }));
      const list = (token: string) =>
        invoke(handler as unknown as EventHandler, { method: 'GET', path: '/v1/work', token });

      const answers = [await list(ADMIN), await list(ADMIN), await list(ADMIN)];
      const other = await list(AGENT);

      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 429]);
      expect(answers[2]?.body.error.code).toBe('rate_limited');
      expect(answers[2]?.headers['retry-after']).toBe('1');
      expect(other.status).toBe(200);
    });

    it('answers 429 with the limiter Retry-After', async () => {
      const answer = await invoke(failing(new RateLimitedError(7)), createWork());

      expect(answer.status).toBe(429);
      expect(answer.headers['retry-after']).toBe('7');
    });

    it('answers an unknown error with 500 internal, a fixed message, and logs it with the request id', async () => {
      const logged = vi.spyOn(logger, 'error');

      const answer = await invoke(
        failing(new Error('secret table name leaked')),
        createWork({ requestId: 'r-500' }),
      );

      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({
        error: { code: 'internal', message: 'Internal server error.', details: {} },
      });
      expect(JSON.stringify(answer.body)).not.toContain('secret');
      expect(logged).toHaveBeenCalledWith('Unhandled error', expect.objectContaining({ requestId: 'r-500' }));
      logged.mockRestore();
    });

    it("translates middy's 422 for malformed JSON into 400 validation_error", () => {
      const answer = errorAnswer(createError(422, 'Invalid or malformed JSON was provided'));

      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('validation_error');
      expect(answer.body.error.details).toEqual({ errors: [{ path: '', message: 'must be valid JSON' }] });
    });

    it("translates middy's 415 and never exposes its 5xx", () => {
      expect(errorAnswer(createError(415, 'Unsupported Media Type')).body.error.code).toBe(
        'unsupported_media_type',
      );
      expect(errorAnswer(createError(502, 'upstream detail')).body.error).toEqual({
        code: 'internal',
        message: 'Internal server error.',
        details: {},
      });
    });
  });
});
