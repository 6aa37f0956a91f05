import { beforeAll, describe, expect, it, vi } from 'vitest';
import { unique } from '#test/support/builders';
import { ADMIN, call, seedAgent, useHandlerStore } from './handlers';

beforeAll(() => {
  vi.stubEnv('ANTHROPIC_API_KEY', '');
  vi.stubEnv('ANTHROPIC_BASE_URL', '');
});
const store = useHandlerStore('http-paths');

const newWork = (team: string, paths: string[]) => ({
  type: 'build',
  title: `Build ${unique()}`,
  team,
  paths,
});

describe('paths over HTTP', () => {
  it('answers 409 paths_in_use naming the holder, its item and the overlapping globs', async () => {
    const team = `t-${unique()}`;
    const policy = await call('updateConfig', {
      token: ADMIN,
      body: { pathOverlap: { [team]: 'block' } },
    });
    const holder = await seedAgent(store(), { id: `holder-${unique()}`, team });
    const other = await seedAgent(store(), { id: `other-${unique()}`, team });
    const held = await call('createWork', { token: ADMIN, body: newWork(team, ['lib/stacks/']) });
    await call('claimWork', {
      token: holder.token,
      params: { id: held.body.id },
      body: { agentId: holder.agent.id },
    });
    const overlapping = await call('createWork', { token: ADMIN, body: newWork(team, ['lib/**/api.ts']) });

    const answer = await call('claimWork', {
      token: other.token,
      params: { id: overlapping.body.id },
      body: { agentId: other.agent.id },
    });

    expect(policy.status).toBe(200);
    expect(held.body.paths).toEqual(['lib/stacks/**']);
    expect(answer.status).toBe(409);
    expect(answer.body.error).toEqual({
      code: 'paths_in_use',
      message: expect.stringContaining(holder.agent.id),
      details: {
        holder: expect.objectContaining({ agentId: holder.agent.id, workId: held.body.id, status: 'active' }),
        paths: ['lib/**/api.ts', 'lib/stacks/**'],
      },
    });
  });

  it.each([
    [{ paths: ['/etc/passwd'] }, '/paths/0'],
    [{ paths: ['a/../b'] }, '/paths/0'],
    [{ paths: Array.from({ length: 51 }, (_, i) => `f${i}`) }, '/paths'],
    [{ paths: ['x'.repeat(257)] }, '/paths/0'],
  ])('answers 400 to a bad paths list and stores nothing', async (extra, pointer) => {
    const team = `t-${unique()}`;

    const answer = await call('createWork', {
      token: ADMIN,
      body: { type: 'b', title: 't', team, ...extra },
    });
    const listed = await call('listWork', { token: ADMIN, query: { team } });

    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('validation_error');
    expect(answer.body.error.details.errors.map((e: { path: string }) => e.path)).toContain(pointer);
    expect(listed.body.items).toEqual([]);
  });

  it('answers 400 to an unknown policy and keeps the settings', async () => {
    const before = await call('getConfig', { token: ADMIN });

    const answer = await call('updateConfig', {
      token: ADMIN,
      body: { pathOverlap: { '*': 'sometimes' } },
    });
    const after = await call('getConfig', { token: ADMIN });

    expect(answer.status).toBe(400);
    expect(answer.body.error.details.errors[0].path).toBe('/pathOverlap/*');
    expect(after.body).toEqual(before.body);
  });

  it('answers 400 to a policy key that is neither a team name nor *', async () => {
    const answer = await call('updateConfig', {
      token: ADMIN,
      body: { pathOverlap: { 'two words': 'warn' } },
    });

    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('validation_error');
  });

  it('flags overlapping paths and a near-duplicate title in flight on the item and in recommendations', async () => {
    const team = `t-${unique()}`;
    const holder = await seedAgent(store(), { id: `holder-${unique()}`, team });
    const free = await seedAgent(store(), { id: `free-${unique()}`, team });
    const held = await call('createWork', {
      token: ADMIN,
      body: { type: 'fix', title: 'Fix API throttling', team, paths: ['lib/stacks/'] },
    });
    await call('claimWork', {
      token: holder.token,
      params: { id: held.body.id },
      body: { agentId: holder.agent.id },
    });
    const ready = await call('createWork', {
      token: ADMIN,
      body: { type: 'fix', title: 'Fix the API throttling', team, paths: ['lib/**/api.ts'] },
    });

    const plain = await call('getWork', { token: ADMIN, params: { id: ready.body.id } });
    const flagged = await call('getWork', {
      token: ADMIN,
      params: { id: ready.body.id },
      query: { flags: '1' },
    });
    const advice = await call('aiRecommendations', { token: ADMIN, body: { workId: ready.body.id } });

    const expected = [
      {
        kind: 'paths_overlap',
        workId: held.body.id,
        agentId: holder.agent.id,
        paths: ['lib/**/api.ts', 'lib/stacks/**'],
      },
      { kind: 'similar_title', workId: held.body.id, agentId: holder.agent.id, similarity: 1 },
    ];
    expect(plain.body.flags).toBeUndefined();
    expect(flagged.status).toBe(200);
    expect(flagged.body.flags).toEqual(expected);
    expect(advice.status).toBe(200);
    expect(advice.body.recommendations.map((r: { agentId: string }) => r.agentId)).toEqual([free.agent.id]);
    expect(advice.body.recommendations[0].flags).toEqual(expected);
  });
});
