/**
 * Every route x every kind of caller through the real handlers: no token is 401, a role the
 * route does not list is 403, a listed one gets past both; a refused request changes nothing
 * (the newest audit event, which every change writes with it, and the stored record of the agent
 * the path names stay the same). What a listed
 * caller gets past the two checks (200, 400, 404, ...) is for each route's own tests; it is
 * never a 5xx. A member counts as listed wherever a viewer is (it may do what a viewer may).
 * Callers whose answer depends on whom they act on (another agent, another team, a team-limited
 * key) are in `authorization-matrix-agents.test.ts`.
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { heartbeatsQueue } from '#adapters/sqs/queues';
import { type Role, rolesAdmittedBy } from '#core/roles';
import { ROUTES, type RouteDefinition, type RouteId } from '#functions/shared/routes';
import { unique } from '#test/support/builders';
import { createTestQueue, type TestQueue } from '../queues/queue-support';
import { ADMIN, call, REGISTRATION, seedAgent, useHandlerStore } from './handlers';

const store = useHandlerStore('http-authz-matrix');

// A team-limited registration key is refused and admitted by role like any registration key;
// what its team limit refuses (and the agents it registers) is in authorization-matrix-agents.
const CALLERS = ['none', 'registration', 'teamRegistration', 'viewer', 'member', 'agent', 'admin'] as const;
type Caller = (typeof CALLERS)[number];

const tokens: Partial<Record<Caller, string>> = { admin: ADMIN, registration: REGISTRATION };
let agentId = '';
let queue: TestQueue | undefined;

beforeAll(async () => {
  // The heartbeat route hands heartbeats to their queue: give it one, as every deployment has.
  queue = await createTestQueue('http-authz-matrix', heartbeatsQueue);
  vi.stubEnv('AWS_ENDPOINT_URL_SQS', inject('sqsEndpoint'));
  vi.stubEnv('COORD_HEARTBEATS_QUEUE_URL', queue.url);
  const { agent, token } = await seedAgent(store(), { team: `t-${unique()}` });
  agentId = agent.id;
  tokens.agent = token;
  tokens.viewer = (await call('issueToken', { token: ADMIN, body: { role: 'viewer' } })).body.token;
  tokens.member = (await call('issueToken', { token: ADMIN, body: { role: 'member' } })).body.token;
  tokens.teamRegistration = (
    await call('issueToken', { token: ADMIN, body: { role: 'registration', team: `t-${unique()}` } })
  ).body.token;
});

afterAll(async () => {
  await queue?.cleanup();
});

const newestEvent = async (): Promise<string | undefined> =>
  (await store().ports.audit.list({ limit: 1 })).items[0]?.id;

/** What a refusal must leave as it was: the newest audit event and the path's agent, as stored. */
const stored = async () => {
  const [event, agent] = await Promise.all([newestEvent(), store().ports.agents.get(agentId)]);
  return { event, agent };
};

// Caller by caller, admin last: an admin issuing the agent a new token ends the agent's old one.
const cases = CALLERS.flatMap((caller) => ROUTES.map((route) => [route.id, caller] as const));

describe('the authorization matrix', () => {
  it.each(cases)('%s as %s', async (id, caller) => {
    const route: RouteDefinition | undefined = ROUTES.find((candidate) => candidate.id === id);
    if (!route) throw new Error(`no route ${id}`);
    const token = tokens[caller];
    const role = caller === 'teamRegistration' ? 'registration' : caller;
    const listed =
      route.access === 'public' || (role !== 'none' && rolesAdmittedBy(route.access).includes(role as Role));
    // A route signed by an outside service takes no bearer token at all; this file configures no
    // signing secret, so every caller is refused as the integration is not configured.
    const expected = route.signedBy
      ? 403
      : route.access === 'public'
        ? undefined
        : caller === 'none'
          ? 401
          : listed
            ? undefined
            : 403;
    // Only a refusal is checked against the stored state; a listed caller may change it.
    const before = expected === undefined ? undefined : await stored();

    const answer = await call(id as RouteId, {
      ...(token === undefined ? {} : { token }),
      // The agent's own id: a path naming another agent is a different refusal (acting as another).
      ...(route.path.includes('{') ? { params: { id: agentId } } : {}),
      ...(route.body ? { body: {} } : {}),
    });

    if (expected === undefined) {
      expect([401, 403], JSON.stringify(answer.body)).not.toContain(answer.status);
      // Past the checks an empty body may be refused (400, 404, ...), never answered with a 5xx.
      expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
    } else {
      expect(answer.status, JSON.stringify(answer.body)).toBe(expected);
      expect(await stored()).toEqual(before);
    }
  });
});
