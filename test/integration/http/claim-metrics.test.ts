/**
 * The metrics the claim routes publish, from their real handlers: a claim made counts once under
 * its route (not claim-next's 204 "nothing fits", a 409 or an Idempotency-Key replay), and each
 * claim-next publishes the races it lost.
 */
import { describe, expect, it, vi } from 'vitest';
import { unique } from '#test/support/builders';
import { dimensionClashes, publishedUnder, publishing } from '../../unit/functions/support/emitted-metrics';
import { ADMIN, call, seedAgent, useHandlerStore } from './handlers';

vi.hoisted(() => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
});

const store = useHandlerStore('http-claim-metrics');

const newWork = (team: string) => ({ type: 'task', title: `item ${unique()}`, team });

describe('claim route metrics', () => {
  it('counts claims made under their route: not a 204, a 409 nor a replayed answer', async () => {
    const team = `t-${unique()}`;
    const { agent, token } = await seedAgent(store(), { team, capacity: 3 });
    const rival = await seedAgent(store(), { team, capacity: 3 });
    const first = await call('createWork', { token: ADMIN, body: newWork(team) });
    const second = await call('createWork', { token: ADMIN, body: newWork(team) });
    const claimSecond = {
      token,
      params: { id: second.body.id },
      body: { agentId: agent.id },
      headers: { 'idempotency-key': `key-${unique()}` },
    };

    const answers: number[] = [];
    const lines = await publishing(async () => {
      for (const answer of [
        await call('claimWork', {
          token: rival.token,
          params: { id: first.body.id },
          body: { agentId: rival.agent.id },
        }),
        await call('claimWork', { token, params: { id: first.body.id }, body: { agentId: agent.id } }),
        await call('claimWork', claimSecond),
        await call('claimWork', claimSecond),
        await call('claimNext', { token, body: { agentId: agent.id } }),
      ]) {
        answers.push(answer.status);
      }
    });

    expect(answers).toEqual([200, 409, 200, 200, 204]);
    expect(dimensionClashes(lines)).toEqual([]);
    expect(publishedUnder(lines, 'route', 'claim.successes')).toEqual([
      ['claimWork', 1],
      ['claimWork', 1],
    ]);
  });

  it('counts a claim-next that claimed under its route, and publishes the races each claim-next lost', async () => {
    const team = `t-${unique()}`;
    const { agent, token } = await seedAgent(store(), { team, capacity: 3 });
    await call('createWork', { token: ADMIN, body: newWork(team) });

    const lines = await publishing(async () => {
      expect((await call('claimNext', { token, body: { agentId: agent.id } })).status).toBe(200);
      expect((await call('claimNext', { token, body: { agentId: agent.id } })).status).toBe(204);
    });

    expect(publishedUnder(lines, 'route', 'claim.successes')).toEqual([['claimNext', 1]]);
    const lostRaces = publishedUnder(lines, 'route', 'claim.lostRaces');
    // Two claim-nexts, no race lost: published without a route, so one series for the dashboard.
    expect(lostRaces).toEqual([
      [undefined, 0],
      [undefined, 0],
    ]);
  });
});
