import { describe, expect, it } from 'vitest';
import { unique } from '#test/support/builders';
import { ADMIN, call, seedAgent, useHandlerStore } from './handlers';

const store = useHandlerStore('http-json-limits');

/** An object nested `levels` deep: `{a: {a: ... {}}}` (levels 1 is `{}`). */
const nested = (levels: number): Record<string, unknown> => {
  let value: Record<string, unknown> = {};
  for (let level = 1; level < levels; level += 1) value = { a: value };
  return value;
};

const newWork = (team: string, overrides: Record<string, unknown> = {}) => ({
  type: 'build',
  title: `Build ${unique()}`,
  team,
  ...overrides,
});

describe('JSON depth and storability', () => {
  it.each([16])('accepts metadata nested %i levels', async (levels) => {
    const answer = await call('createWork', {
      token: ADMIN,
      body: newWork(`t-${unique()}`, { metadata: nested(levels) }),
    });

    expect(answer.status).toBe(201);
    expect(answer.body.metadata).toEqual(nested(levels));
  });

  it.each([17, 32, 40])(
    'answers 400 on /metadata for metadata nested %i levels on create',
    async (levels) => {
      const team = `t-${unique()}`;
      const answer = await call('createWork', {
        token: ADMIN,
        body: newWork(team, { metadata: nested(levels) }),
      });
      const listed = await call('listWork', { token: ADMIN, query: { team } });

      expect(answer.status).toBe(400);
      expect(answer.body.error.details.errors).toEqual([
        { path: '/metadata', message: 'must be nested at most 16 levels deep' },
      ]);
      expect(listed.body.items).toEqual([]);
    },
  );

  it('answers 400 on /metadata for deep metadata on agent registration and update', async () => {
    const { agent, token } = await seedAgent(store());
    const registered = await call('registerAgent', {
      token: ADMIN,
      body: { id: `a-${unique()}`, team: 't', metadata: nested(32) },
    });
    const patched = await call('updateAgent', {
      token,
      params: { id: agent.id },
      body: { metadata: { deep: [nested(31)] } },
    });

    expect(registered.status).toBe(400);
    expect(registered.body.error.details.errors[0].path).toBe('/metadata');
    expect(patched.status).toBe(400);
    expect(patched.body.error.details.errors).toEqual([
      { path: '/metadata', message: 'must be nested at most 16 levels deep' },
    ]);
  });

  it('answers 400 on /result for a deep result on complete and leaves the claim', async () => {
    const team = `t-${unique()}`;
    const { agent, token } = await seedAgent(store(), { team });
    const item = await call('createWork', { token: ADMIN, body: newWork(team) });
    const claim = await call('claimWork', {
      token,
      params: { id: item.body.id },
      body: { agentId: agent.id },
    });

    const answer = await call('completeWork', {
      token,
      params: { id: item.body.id },
      body: { claimToken: claim.body.claim.token, result: nested(33) },
    });
    const read = await call('getWork', { token: ADMIN, params: { id: item.body.id } });

    expect(answer.status).toBe(400);
    expect(answer.body.error.details.errors).toEqual([
      { path: '/result', message: 'must be nested at most 16 levels deep' },
    ]);
    expect(read.body.status).toBe('claimed');
  });

  it.each([
    ['an empty key', { '': 1 }, 'has an empty key at /x (the store cannot keep one)'],
    ['a number the store cannot hold', { big: 1e200 }, 'holds a number out of the storable range at /x/big'],
  ])('answers 400 for metadata with %s', async (_name, inner, message) => {
    const answer = await call('createWork', {
      token: ADMIN,
      body: newWork(`t-${unique()}`, { metadata: { x: inner } }),
    });

    expect(answer.status).toBe(400);
    expect(answer.body.error.details.errors).toEqual([{ path: '/metadata', message }]);
  });

  it('states the depth limit in the OpenAPI document', async () => {
    const answer = await call('openapi');
    const schemas = answer.body.components.schemas;
    const resolve = (schema: { $ref?: string }) =>
      schema.$ref === undefined ? schema : schemas[schema.$ref.replace('#/components/schemas/', '')];

    expect(resolve(schemas.CreateWorkBody.properties.metadata)).toMatchObject({
      maxDepth: 16,
      storable: true,
    });
    expect(resolve(schemas.CreateWorkBody.properties.metadata).description).toMatch(/16 levels/);
    expect(resolve(schemas.CompleteBody.properties.result)).toMatchObject({ maxDepth: 16, storable: true });
  });
});
