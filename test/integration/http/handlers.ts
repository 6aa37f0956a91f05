/**
 * Invoking the real route handlers (the modules Lambda loads) with payload 2.0 events, against
 * a test file's own DynamoDB Local tables. The handlers read their configuration from the
 * environment as on Lambda, so the environment is pointed at the file's tables.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, inject, vi } from 'vitest';
import { sha256Hasher } from '#adapters/system/hasher';
import type { Agent } from '#core/model';
import { Role } from '#core/roles';
import { ROUTES, type RouteId } from '#functions/shared/routes';
import { anAgent, unique } from '#test/support/builders';
import { createTestStore, insert, type TestStore } from '#test/support/dynamo';
import { openApiMismatch, throwOnMismatch } from '#test/support/openapi-replies';
import {
  type Answer,
  type EventHandler,
  type EventOptions,
  invoke,
} from '../../unit/functions/support/api-event';

/** The admin token the handlers are configured with. */
export const ADMIN = 'admin-token-integration';
/** The registration key the handlers are configured with. */
export const REGISTRATION = 'registration-key-integration';

/** Points the handlers' configuration at the store's tables; undo with `vi.unstubAllEnvs()`. */
const configureHandlers = (store: TestStore): void => {
  vi.stubEnv('COORD_TABLE_PREFIX', store.tablePrefix);
  vi.stubEnv('COORD_READY_SHARDS', String(store.readyShards));
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', inject('dynamoEndpoint'));
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('COORD_ADMIN_TOKEN', ADMIN);
  vi.stubEnv('COORD_REGISTRATION_KEY', REGISTRATION);
  vi.stubEnv('COORD_ADMIN_TOKEN_SECRET_ARN', '');
  vi.stubEnv('COORD_REGISTRATION_KEY_SECRET_ARN', '');
};

/**
 * Gives the calling test file its own tables and points the handlers at them for the whole
 * file (hooks registered here); returns the store once `beforeAll` has run.
 */
export const useHandlerStore = (name: string): (() => TestStore) => {
  let store: TestStore | undefined;
  beforeAll(async () => {
    store = await createTestStore(name);
    configureHandlers(store);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await store?.cleanup();
  });
  return () => {
    if (!store) throw new Error('The handler store is ready only once beforeAll has run');
    return store;
  };
};

const PROJECT_ROOT = join(import.meta.dirname, '..', '..', '..');
const handlers = new Map<RouteId, Promise<EventHandler>>();

const handlerOf = (id: RouteId): Promise<EventHandler> => {
  let handler = handlers.get(id);
  if (!handler) {
    const route = ROUTES.find((r) => r.id === id);
    if (!route) throw new Error(`No route ${id}`);
    handler = import(pathToFileURL(join(PROJECT_ROOT, route.entry)).href).then(
      (module: { handler: EventHandler }) => module.handler,
    );
    handlers.set(id, handler);
  }
  return handler;
};

/** A request to one route: its method and path template come from the route table. */
export type Call = Omit<EventOptions, 'method' | 'path' | 'routePath' | 'pathParameters'> & {
  readonly params?: Readonly<Record<string, string>>;
};

/** Calls the route's real handler as API Gateway would. */
export const call = async (id: RouteId, request: Call = {}): Promise<Answer> => {
  const route = ROUTES.find((r) => r.id === id);
  if (!route) throw new Error(`No route ${id}`);
  const params = request.params ?? {};
  const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
  const answer = await invoke(await handlerOf(id), {
    ...request,
    method: route.method,
    path,
    routePath: route.path,
    ...(request.params ? { pathParameters: { ...request.params } } : {}),
  });
  // Every reply to a documented operation is one /openapi.json documents: its status, and a body
  // matching that status's schema (a path that names another template, `GET /v1/work/claim-next`,
  // is the edge's 405 and no operation).
  throwOnMismatch(
    openApiMismatch(route.method, path, answer.status, answer.headers['content-type'], answer.body),
    JSON.stringify(answer.body) ?? '',
  );
  return answer;
};

/** An agent stored with a token of its own, heartbeating now. */
export const seedAgent = async (
  store: TestStore,
  overrides: Partial<Agent> = {},
): Promise<{ agent: Agent; token: string }> => {
  const now = new Date().toISOString();
  const tokenId = `tok_${unique()}`;
  const secret = `secret-${unique()}`;
  const agent = anAgent({ lastHeartbeatAt: now, createdAt: now, updatedAt: now, tokenId, ...overrides });
  await insert(store.ports, { agents: [agent] });
  await store.ports.uow.commit({
    writes: [
      {
        kind: 'tokenPut',
        token: {
          id: tokenId,
          secretHash: sha256Hasher.hash(secret),
          role: Role.Agent,
          agentId: agent.id,
          createdAt: now,
        },
      },
    ],
    events: [],
  });
  return { agent, token: `${tokenId}.${secret}` };
};
