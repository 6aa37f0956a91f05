import { describe, expect, it } from 'vitest';
import { encodeCursor } from '#core/cursor';
import type { RouteId } from '#functions/shared/routes';
import { unique } from '#test/support/builders';
import type { Answer } from '../../unit/functions/support/api-event';
import { ADMIN, call, seedAgent, useHandlerStore } from './handlers';

const store = useHandlerStore('http-cursors');

const handMade = (position: unknown): string => Buffer.from(JSON.stringify(position)).toString('base64url');

const expectForeign = (answer: Answer): void => {
  expect(answer.status).toBe(400);
  expect(answer.body.error.code).toBe('validation_error');
  expect(answer.body.error.details.errors).toEqual([
    { path: '/cursor', message: 'must be a cursor returned by this list' },
  ]);
};

const LISTS: readonly RouteId[] = ['listWork', 'listAgents', 'listEscalations', 'listAudit', 'listTeams'];

describe('list cursors', () => {
  it('answers 400 on every list for a cursor another list made', async () => {
    const team = `t-${unique()}`;
    await call('createWork', { token: ADMIN, body: { type: 'build', title: 'one', team } });
    await call('createWork', { token: ADMIN, body: { type: 'build', title: 'two', team } });
    const work = await call('listWork', { token: ADMIN, query: { team, limit: '1' } });
    expect(work.body.nextCursor).toEqual(expect.any(String));

    for (const list of LISTS.filter((id) => id !== 'listWork')) {
      expectForeign(await call(list, { token: ADMIN, query: { cursor: work.body.nextCursor } }));
    }
  });

  it('answers 400 for a work cursor sent with other filters', async () => {
    const team = `t-${unique()}`;
    await call('createWork', { token: ADMIN, body: { type: 'build', title: 'one', team } });
    await call('createWork', { token: ADMIN, body: { type: 'build', title: 'two', team } });
    const first = await call('listWork', { token: ADMIN, query: { team, limit: '1' } });

    const otherTeam = await call('listWork', {
      token: ADMIN,
      query: { team: `t-${unique()}`, limit: '1', cursor: first.body.nextCursor },
    });
    const sameTeam = await call('listWork', {
      token: ADMIN,
      query: { team, limit: '1', cursor: first.body.nextCursor },
    });

    expectForeign(otherTeam);
    expect(sameTeam.status).toBe(200);
    expect(sameTeam.body.items).toHaveLength(1);
    expect(sameTeam.body.items[0].id).not.toBe(first.body.items[0].id);
  });

  it('answers 400 for an agent cursor sent with another team', async () => {
    const team = `t-${unique()}`;
    await seedAgent(store(), { team });
    await seedAgent(store(), { team });
    const first = await call('listAgents', { token: ADMIN, query: { team, limit: '1' } });
    expect(first.body.nextCursor).toEqual(expect.any(String));

    const other = await call('listAgents', {
      token: ADMIN,
      query: { team: `t-${unique()}`, cursor: first.body.nextCursor },
    });

    expectForeign(other);
  });

  it.each([
    ['an empty key', { s: 1, k: {} }],
    ['a status number out of range', { s: 99, k: {} }],
    ['a negative status number', { s: -1, k: { pk: 'x' } }],
    ['a key with foreign attributes', { k: { pk: 'AGENT#x', nope: '1' } }],
    ['a time key', { b: 'x' }],
    ['an entity key', { e: { pk: 'x', sk: 'y' } }],
    ['not an object', [1, 2]],
  ])('answers 400 on every list for a hand-made cursor with %s', async (_name, position) => {
    for (const list of LISTS) {
      expectForeign(await call(list, { token: ADMIN, query: { cursor: handMade(position) } }));
    }
    expectForeign(await call('listWork', { token: ADMIN, query: { team: 'x', cursor: handMade(position) } }));
    expectForeign(
      await call('listAudit', { token: ADMIN, query: { entityId: 'x', cursor: handMade(position) } }),
    );
  });

  it('answers 400 for a cursor that is not base64 JSON', async () => {
    for (const list of LISTS) {
      expectForeign(await call(list, { token: ADMIN, query: { cursor: '%%%not-a-cursor' } }));
    }
  });

  it("answers 400 for a cursor in the list's own format that the service did not sign", async () => {
    const unsigned = encodeCursor({ list: 'audit.byTime', filters: {} }, { b: '2099-01-01T00:00:00.000Z#x' });

    expectForeign(await call('listAudit', { token: ADMIN, query: { cursor: unsigned } }));
  });

  it('answers 400 for a signed cursor changed by one character, and pages with it unchanged', async () => {
    const team = `t-${unique()}`;
    await call('createWork', { token: ADMIN, body: { type: 'build', title: 'one', team } });
    await call('createWork', { token: ADMIN, body: { type: 'build', title: 'two', team } });
    const first = await call('listWork', { token: ADMIN, query: { team, limit: '1' } });
    const cursor: string = first.body.nextCursor;
    const flip = (char: string): string => (char === 'A' ? 'B' : 'A');
    const tampered = [0, cursor.indexOf('.') - 1, cursor.length - 1].map(
      (at) => `${cursor.slice(0, at)}${flip(cursor.charAt(at))}${cursor.slice(at + 1)}`,
    );

    for (const forged of tampered) {
      expectForeign(await call('listWork', { token: ADMIN, query: { team, limit: '1', cursor: forged } }));
    }
    const next = await call('listWork', { token: ADMIN, query: { team, limit: '1', cursor } });
    expect(next.status).toBe(200);
    expect(next.body.items).toHaveLength(1);
  });

  it('pages the teams in name order with the signed cursor', async () => {
    const prefix = `t-${unique()}`;
    for (const team of [`${prefix}-b`, `${prefix}-a`]) {
      await call('createWork', { token: ADMIN, body: { type: 'build', title: 'one', team } });
    }
    const first = await call('listTeams', { token: ADMIN, query: { limit: '1' } });
    const second = await call('listTeams', {
      token: ADMIN,
      query: { limit: '1', cursor: first.body.nextCursor },
    });

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].team > first.body.items[0].team).toBe(true);
  });
});
