/**
 * Fuzzing every route through its real handler on DynamoDB Local: whatever arrives, the answer
 * is never a 5xx, and a refused request (4xx) changes nothing (the newest audit event, which
 * every change writes with it, stays the same). `COORD_FUZZ_RUNS` and `COORD_FUZZ_SEED` widen
 * the run (`npm run bench:fuzz`).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '#functions/shared/routes';
import { unique } from '#test/support/builders';
import { type Caller, FUZZ_SEED, type FuzzRequest, fuzzRequests } from '#test/support/fuzz-requests';
import { ADMIN, call, REGISTRATION, seedAgent, useHandlerStore } from './handlers';

const store = useHandlerStore('http-fuzz');

// 250 runs (five per route) with the fixed seed: every route meets fuzzed input on each
// `npm test` at half the time of 500; `npm run bench:fuzz` runs 10,000, and a new seed widens it.
const RUNS = Number(process.env.COORD_FUZZ_RUNS ?? 250);
const SEED = Number(process.env.COORD_FUZZ_SEED ?? FUZZ_SEED);

const tokens: Partial<Record<Caller, string>> = {
  admin: ADMIN,
  registration: REGISTRATION,
  garbage: 'tok_x.nope',
};
const knownIds: string[] = [];

beforeAll(async () => {
  const team = `t-${unique()}`;
  const { agent, token } = await seedAgent(store(), { team });
  tokens.agent = token;
  const viewer = await call('issueToken', { token: ADMIN, body: { role: 'viewer' } });
  tokens.viewer = viewer.body.token;
  tokens.member = (await call('issueToken', { token: ADMIN, body: { role: 'member', team } })).body.token;
  const item = await call('createWork', { token: ADMIN, body: { type: 'build', title: 'fuzz', team } });
  knownIds.push(agent.id, item.body.id, viewer.body.id);
});

const newestEvent = async (): Promise<string | undefined> =>
  (await store().ports.audit.list({ limit: 1 })).items[0]?.id;

const send = (request: FuzzRequest) => {
  const token = tokens[request.caller];
  return call(request.route.id as Parameters<typeof call>[0], {
    ...(token === undefined ? {} : { token }),
    ...(request.route.path.includes('{') ? { params: request.params } : {}),
    query: request.query,
    ...(request.body === undefined ? {} : { body: request.body }),
  });
};

describe('every route under fuzzed input', () => {
  it(
    `never answers 5xx and changes nothing when it refuses (${RUNS} runs, seed ${SEED})`,
    async () => {
      const statuses = new Map<number, number>();
      const routes = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(fuzzRequests(knownIds), async (request) => {
          const before = await newestEvent();
          const answer = await send(request);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          routes.set(request.route.id, (routes.get(request.route.id) ?? 0) + 1);
          expect(answer.status, `${request.route.id}: ${JSON.stringify(answer.body)}`).toBeLessThan(500);
          if (answer.status >= 400) expect(await newestEvent()).toBe(before);
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      console.info(
        JSON.stringify({
          fuzz: {
            runs: RUNS,
            seed: SEED,
            statuses: Object.fromEntries(statuses),
            routes: Object.fromEntries([...routes].sort(([a], [b]) => a.localeCompare(b))),
          },
        }),
      );
      expect([...statuses.values()].reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(RUNS);
      // Every endpoint (messages, webhooks and the GitHub route included) met fuzzed input.
      expect(ROUTES.filter((route) => !routes.has(route.id)).map((route) => route.id)).toEqual([]);
    },
    60_000 + RUNS * 500,
  );
});
