/**
 * The authorization matrix for the callers whose answer depends on whom they act on, through
 * the real handlers on DynamoDB Local with well-formed requests (so each reaches its ownership
 * and team checks): the agent acting on itself, another agent of the same team, an agent of
 * another team, an agent of another team registered with a team-limited key, and a
 * registration key limited to another team. Each gets exactly the status API.md implies, and a
 * refused request changes nothing: the touched agent's and work item's stored versions and the
 * newest audit event stay the same. (`authorization-matrix.test.ts` covers every route by role.)
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { heartbeatsQueue } from '#adapters/sqs/queues';
import type { RouteId } from '#functions/shared/routes';
import { unique } from '#test/support/builders';
import { createTestQueue, type TestQueue } from '../queues/queue-support';
import { ADMIN, type Call, call, seedAgent, useHandlerStore } from './handlers';

const store = useHandlerStore('http-authz-agents');

const CALLERS = ['self', 'sameTeam', 'otherTeam', 'limitedOther', 'limitedKey'] as const;
type Caller = (typeof CALLERS)[number];

interface Principal {
  readonly id: string;
  readonly token: string;
}

const teamA = `t-${unique()}`;
const teamB = `t-${unique()}`;
const callers = {} as Record<Caller, Principal>;
let queue: TestQueue | undefined;

beforeAll(async () => {
  // The heartbeat route hands heartbeats to their queue: give it one, as every deployment has.
  queue = await createTestQueue('http-authz-agents', heartbeatsQueue);
  vi.stubEnv('AWS_ENDPOINT_URL_SQS', inject('sqsEndpoint'));
  vi.stubEnv('COORD_HEARTBEATS_QUEUE_URL', queue.url);
  const seeded = async (team: string): Promise<Principal> => {
    const { agent, token } = await seedAgent(store(), { team, capacity: 100 });
    return { id: agent.id, token };
  };
  callers.self = await seeded(teamA);
  callers.sameTeam = await seeded(teamA);
  callers.otherTeam = await seeded(teamB);
  const key = await call('issueToken', { token: ADMIN, body: { role: 'registration', team: teamB } });
  callers.limitedKey = { id: key.body.id, token: key.body.token };
  const limitedId = `a-${unique()}`;
  const registered = await call('registerAgent', {
    token: key.body.token,
    body: { id: limitedId, team: teamB, capacity: 100 },
  });
  expect(registered.status).toBe(201);
  callers.limitedOther = { id: limitedId, token: registered.body.token };
});

afterAll(async () => {
  await queue?.cleanup();
});

/** A fresh item of team A, created by `creator` (the admin by default). */
const workOfTeamA = async (creator = ADMIN): Promise<{ id: string }> => {
  const created = await call('createWork', {
    token: creator,
    body: { type: 'build', title: `w-${unique()}`, team: teamA },
  });
  expect(created.status).toBe(201);
  return created.body;
};

/** A fresh item of team A claimed by the agent of `self`, with its claim token. */
const heldBySelf = async (): Promise<{ id: string; claimToken: string }> => {
  const { id } = await workOfTeamA();
  const claimed = await call('claimWork', {
    token: callers.self.token,
    params: { id },
    body: { agentId: callers.self.id },
  });
  expect(claimed.status).toBe(200);
  return { id, claimToken: claimed.body.claim.token };
};

/** A claim token nobody holds (a caller that is not the holder has none). */
const FORGED_CLAIM = 'clm_not-the-holders-token-0000000000';

/** What a request touches: the agent and work item whose stored versions a refusal must keep. */
interface Target {
  readonly request: Call;
  readonly agentId?: string;
  readonly workId?: string;
}

interface Row {
  readonly route: RouteId;
  /** What the row checks, for the test name. */
  readonly what: string;
  readonly target: (caller: Caller, me: Principal) => Promise<Target>;
  readonly expected: Readonly<Record<Caller, number>>;
}

/** A request on the self agent's path; `body` is built once the callers exist. */
const onSelf =
  (body: () => unknown): Row['target'] =>
  async () => ({
    request: { params: { id: callers.self.id }, body: body() },
    agentId: callers.self.id,
  });

const ROWS: readonly Row[] = [
  {
    route: 'getAgent',
    what: "the self agent's record",
    target: onSelf(() => undefined),
    expected: { self: 200, sameTeam: 403, otherTeam: 403, limitedOther: 403, limitedKey: 403 },
  },
  {
    route: 'updateAgent',
    what: 'a change to the self agent',
    target: onSelf(() => ({ capacity: 100 })),
    expected: { self: 200, sameTeam: 403, otherTeam: 403, limitedOther: 403, limitedKey: 403 },
  },
  {
    route: 'heartbeat',
    what: "the self agent's heartbeat",
    target: onSelf(() => ({ status: 'active' })),
    expected: { self: 202, sameTeam: 403, otherTeam: 403, limitedOther: 403, limitedKey: 403 },
  },
  {
    route: 'listAgentMessages',
    what: "the self agent's inbox",
    target: onSelf(() => undefined),
    expected: { self: 200, sameTeam: 403, otherTeam: 403, limitedOther: 403, limitedKey: 403 },
  },
  {
    route: 'postAgentMessage',
    what: 'a message to the self agent',
    target: onSelf(() => ({ body: 'hello' })),
    expected: { self: 201, sameTeam: 201, otherTeam: 403, limitedOther: 403, limitedKey: 403 },
  },
  {
    route: 'aiRecommendations',
    what: 'recommendations for the self agent',
    target: onSelf(() => ({ agentId: callers.self.id })),
    expected: { self: 200, sameTeam: 403, otherTeam: 403, limitedOther: 403, limitedKey: 403 },
  },
  {
    route: 'getWork',
    what: 'an item of team A',
    target: async () => {
      const { id } = await workOfTeamA();
      return { request: { params: { id } }, workId: id };
    },
    expected: { self: 200, sameTeam: 200, otherTeam: 200, limitedOther: 200, limitedKey: 403 },
  },
  {
    route: 'claimWork',
    what: 'a claim of an item of team A for the caller itself',
    target: async (_caller, me) => {
      const { id } = await workOfTeamA();
      return { request: { params: { id }, body: { agentId: me.id } }, workId: id };
    },
    expected: { self: 200, sameTeam: 200, otherTeam: 200, limitedOther: 403, limitedKey: 403 },
  },
  {
    route: 'claimWork',
    what: 'a claim of an item of team A for the self agent',
    target: async () => {
      const { id } = await workOfTeamA();
      return { request: { params: { id }, body: { agentId: callers.self.id } }, workId: id };
    },
    expected: { self: 200, sameTeam: 403, otherTeam: 403, limitedOther: 403, limitedKey: 403 },
  },
  {
    route: 'claimNext',
    what: 'the next item of team A for the caller itself',
    target: async (_caller, me) => {
      await workOfTeamA();
      return { request: { body: { agentId: me.id, teams: [teamA] } } };
    },
    expected: { self: 200, sameTeam: 200, otherTeam: 200, limitedOther: 403, limitedKey: 403 },
  },
  {
    route: 'createWork',
    what: 'a new item in team A',
    target: async () => ({ request: { body: { type: 'build', title: `w-${unique()}`, team: teamA } } }),
    expected: { self: 201, sameTeam: 201, otherTeam: 201, limitedOther: 403, limitedKey: 403 },
  },
  ...(['reportProgress', 'completeWork', 'failWork', 'releaseWork'] as const).map(
    (route): Row => ({
      route,
      what: 'an item the self agent holds (only the holder has the claim token)',
      target: async (caller) => {
        const held = await heldBySelf();
        const claimToken = caller === 'self' ? held.claimToken : FORGED_CLAIM;
        const extra =
          route === 'reportProgress' ? { progress: 10 } : route === 'failWork' ? { reason: 'broken' } : {};
        return {
          request: { params: { id: held.id }, body: { claimToken, ...extra } },
          workId: held.id,
          agentId: callers.self.id,
        };
      },
      expected: { self: 200, sameTeam: 409, otherTeam: 409, limitedOther: 409, limitedKey: 403 },
    }),
  ),
  {
    route: 'cancelWork',
    what: 'an item the self agent created',
    target: async () => {
      const { id } = await workOfTeamA(callers.self.token);
      return { request: { params: { id }, body: { reason: 'not needed' } }, workId: id };
    },
    expected: { self: 200, sameTeam: 403, otherTeam: 403, limitedOther: 403, limitedKey: 403 },
  },
  {
    route: 'listWorkMessages',
    what: 'the thread of an item of team A',
    target: async () => {
      const { id } = await workOfTeamA();
      return { request: { params: { id } }, workId: id };
    },
    expected: { self: 200, sameTeam: 200, otherTeam: 403, limitedOther: 403, limitedKey: 403 },
  },
  {
    route: 'postWorkMessage',
    what: 'a message on an item of team A',
    target: async () => {
      const { id } = await workOfTeamA();
      return { request: { params: { id }, body: { body: 'status?' } }, workId: id };
    },
    expected: { self: 201, sameTeam: 201, otherTeam: 403, limitedOther: 403, limitedKey: 403 },
  },
  {
    route: 'registerAgent',
    what: 'a new agent of team A',
    target: async () => ({ request: { body: { id: `a-${unique()}`, team: teamA } } }),
    expected: { self: 403, sameTeam: 403, otherTeam: 403, limitedOther: 403, limitedKey: 403 },
  },
  {
    // Last: retiring the self agent ends what the rows above need of it.
    route: 'retireAgent',
    what: 'retiring the self agent',
    target: onSelf(() => ({ mode: 'drain' })),
    expected: { self: 200, sameTeam: 403, otherTeam: 403, limitedOther: 403, limitedKey: 403 },
  },
];

const newestEvent = async (): Promise<string | undefined> =>
  (await store().ports.audit.list({ limit: 1 })).items[0]?.id;

/** The stored versions of what `target` touches. */
const versionsOf = async (target: Target) => {
  const [agent, work] = await Promise.all([
    target.agentId === undefined ? undefined : store().ports.agents.get(target.agentId),
    target.workId === undefined ? undefined : store().ports.work.get(target.workId),
  ]);
  return { agent: agent?.version, work: work?.version };
};

/** What a refusal must leave as it was: the newest audit event and the versions `target` touches. */
const stored = async (target: Target) => {
  const [event, versions] = await Promise.all([newestEvent(), versionsOf(target)]);
  return { event, ...versions };
};

// Row by row, the self agent last in each (its success may change what the others would meet).
const cases = ROWS.flatMap((row, index) =>
  [...CALLERS.filter((caller) => caller !== 'self'), 'self' as const].map(
    (caller) => [`${row.route} (${row.what})`, caller, index] as const,
  ),
);

describe('the authorization matrix of agents and team-limited keys', () => {
  it.each(cases)('%s as %s', async (_name, caller, index) => {
    const row = ROWS[index];
    if (!row) throw new Error(`no row ${index}`);
    const me = callers[caller];
    const target = await row.target(caller, me);
    const expected = row.expected[caller];
    // Only a refusal is checked against the stored state (a status other than the expected one fails first).
    const before = expected >= 400 ? await stored(target) : undefined;

    const { body, ...request } = target.request;
    const answer = await call(row.route, {
      ...request,
      ...(body === undefined ? {} : { body }),
      token: me.token,
    });

    expect(answer.status, JSON.stringify(answer.body)).toBe(expected);
    if (answer.status >= 400) expect(await stored(target)).toEqual(before);
  });

  it('lets the team-limited key register agents of its own team', async () => {
    const answer = await call('registerAgent', {
      token: callers.limitedKey.token,
      body: { id: `a-${unique()}`, team: teamB },
    });

    expect(answer.status).toBe(201);
  });
});
