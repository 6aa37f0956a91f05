/**
 * Every handler module Lambda loads (`route.entry`) answers through its own route of the table:
 * the access list and the request schemas it applies are the route's. Only what the chain decides
 * before the store is asked (authentication with the configured admin token and registration
 * key, authorization, validation), so no store is needed: a handler that reached one would fail
 * to connect.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TSchema } from '@sinclair/typebox';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ValidationError } from '#core/errors';
import { type Principal, Role } from '#core/roles';
import { ROUTES, type Route } from '#functions/shared/routes';
import { bodyCheck, stringsCheck } from '#functions/shared/validation';
import { type EventHandler, type EventOptions, invoke } from '../support/api-event';

const ADMIN = 'entries-admin-token';
const REGISTRATION = 'entries-registration-key';

vi.hoisted(() => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  vi.stubEnv('COORD_ADMIN_TOKEN', 'entries-admin-token');
  vi.stubEnv('COORD_REGISTRATION_KEY', 'entries-registration-key');
  vi.stubEnv('COORD_ADMIN_TOKEN_SECRET_ARN', '');
  vi.stubEnv('COORD_REGISTRATION_KEY_SECRET_ARN', '');
  vi.stubEnv('COORD_TABLE_PREFIX', 'entries-no-store');
  // Nothing listens here: a handler that asked the store would answer 503, not what is expected.
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', 'http://127.0.0.1:9');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
});

const PROJECT_ROOT = join(import.meta.dirname, '..', '..', '..', '..');

const handlers = new Map<string, EventHandler>();

// Loading a handler module the first time takes seconds (the SDK, middy, Powertools): once, up front.
beforeAll(async () => {
  for (const route of ROUTES) {
    const module = (await import(pathToFileURL(join(PROJECT_ROOT, route.entry)).href)) as {
      handler: EventHandler;
    };
    handlers.set(route.id, module.handler);
  }
}, 120_000);

const handlerOf = (route: Route): EventHandler => {
  const handler = handlers.get(route.id);
  if (typeof handler !== 'function') throw new Error(`${route.entry} exports no handler`);
  return handler;
};

/** A request to the route (its method and path), with the parts given. */
const requestTo = (
  route: Route,
  parts: Omit<EventOptions, 'method' | 'path' | 'routePath'> = {},
): EventOptions => {
  const params = parts.pathParameters ?? { id: 'x-1' };
  return {
    method: route.method,
    path: route.path.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? ''),
    routePath: route.path,
    ...(route.path.includes('{') ? { pathParameters: params } : {}),
    ...parts,
  };
};

const CONFIGURED: readonly { role: Principal['role']; token: string }[] = [
  { role: Role.Admin, token: ADMIN },
  { role: Role.Registration, token: REGISTRATION },
];

const accessOf = (route: Route): readonly string[] => (route.access === 'public' ? [] : route.access);
const isPublic = (route: Route): boolean => route.access === 'public';

/** Every field the schema names, set to `null` (wrong for every type), and one it does not know. */
const everyFieldWrong = (schema: TSchema | undefined): Record<string, unknown> => ({
  ...Object.fromEntries(Object.keys(schema?.properties ?? {}).map((name) => [name, null])),
  notAField: 1,
});

/**
 * A request the route's schemas refuse, field by field: its body's every field wrong, an unknown
 * query field, and an overlong id when the id is all the route takes.
 */
const malformed = (route: Route) => {
  const takesMore = 'body' in route || 'query' in route;
  return {
    pathParameters: { id: takesMore ? 'x-1' : 'x'.repeat(129) },
    query: { notAField: '1' },
    body: everyFieldWrong('body' in route ? route.body : undefined),
  };
};

/** The field errors the route's own schemas give for the malformed request, in the chain's order. */
const expectedErrors = (route: Route): unknown => {
  const request = malformed(route);
  const checks: [((value: unknown) => unknown) | undefined, unknown][] = [
    ['params' in route ? stringsCheck(route.params) : undefined, request.pathParameters],
    ['query' in route ? stringsCheck(route.query) : undefined, request.query],
    ['body' in route ? bodyCheck(route.body) : undefined, request.body],
  ];
  for (const [check, value] of checks) {
    try {
      check?.(value);
    } catch (error) {
      if (error instanceof ValidationError) return error.details.errors;
      throw error;
    }
  }
  return undefined;
};

describe('the route entries', () => {
  it.each(ROUTES.filter((route) => !isPublic(route)))(
    '$entry asks $id callers for a token',
    async (route) => {
      const answer = await invoke(handlerOf(route), requestTo(route));

      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('unauthorized');
    },
  );

  const refused = ROUTES.flatMap((route) =>
    CONFIGURED.filter(({ role }) => !isPublic(route) && !accessOf(route).includes(role)).map((caller) => ({
      ...caller,
      route,
    })),
  );
  it.each(refused)('$route.entry refuses $role tokens as $route.id does', async ({ route, role, token }) => {
    const answer = await invoke(handlerOf(route), requestTo(route, { token, body: {} }));

    expect(answer.status).toBe(403);
    expect(answer.body.error).toMatchObject({ code: 'forbidden', details: { role } });
  });

  const validated = ROUTES.flatMap((route) => {
    const caller = CONFIGURED.find(({ role }) => accessOf(route).includes(role));
    return caller && expectedErrors(route) !== undefined ? [{ route, ...caller }] : [];
  });
  it.each(validated)(
    '$route.entry checks requests with the schemas of $route.id',
    async ({ route, token }) => {
      const answer = await invoke(handlerOf(route), requestTo(route, { token, ...malformed(route) }));

      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('validation_error');
      expect(answer.body.error.details.errors).toEqual(expectedErrors(route));
    },
  );

  it('serves the OpenAPI document from its public entry', async () => {
    const route = ROUTES.find((r) => r.id === 'openapi');
    if (!route) throw new Error('no openapi route');

    const answer = await invoke(handlerOf(route), requestTo(route));

    expect(answer.status).toBe(200);
    expect(answer.body.paths).toHaveProperty('/v1/work/claim-next');
  });

  it('checks most routes against their own schemas', () => {
    // Routes reachable with the configured tokens that take a body, a query or an id.
    expect(validated.length).toBeGreaterThanOrEqual(15);
  });
});
