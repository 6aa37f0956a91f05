import { describe, expect, it } from 'vitest';
import { recordEscalation } from '#app/use-cases/record-escalation';
import { resolveEscalation } from '#app/use-cases/resolve-escalation';
import type { Escalation } from '#core/escalations/escalation';
import { aWorkItem, unique } from '#test/support/builders';
import { insert } from '#test/support/dynamo';
import { asAdmin, useCaseDeps } from '../use-cases/fixture';
import { ADMIN, call, seedAgent, useHandlerStore } from './handlers';

const storeOf = useHandlerStore('http-escalations');

/** `count` escalated items of `team`, each with its open retries_exhausted escalation. */
const seedEscalations = async (team: string, count: number): Promise<Escalation[]> => {
  const store = storeOf();
  const deps = useCaseDeps(store);
  const items = Array.from({ length: count }, () =>
    aWorkItem({ id: `wi_${unique()}`, team, status: 'escalated', attempts: 3, readyAt: undefined }),
  );
  await insert(store.ports, { work: items });
  const opened: Escalation[] = [];
  for (const item of items) {
    store.clock.advance(1);
    const escalation = await recordEscalation(deps, {
      workId: item.id,
      kind: 'retries_exhausted',
      at: store.clock.iso(),
    });
    if (escalation) opened.push(escalation);
  }
  return opened;
};

const viewerToken = async (): Promise<string> =>
  (await call('issueToken', { token: ADMIN, body: { role: 'viewer' } })).body.token;

describe('GET /v1/escalations', () => {
  it('lists open escalations first, newest first, by team and status, page by page', async () => {
    // Arrange
    const team = `team-${unique()}`;
    const [first, second, third] = await seedEscalations(team, 3);
    await seedEscalations(`team-${unique()}`, 1);
    await resolveEscalation(useCaseDeps(storeOf()), asAdmin(), { id: second?.id ?? '' });
    const token = await viewerToken();
    // Act
    const all = await call('listEscalations', { token, query: { team } });
    const open = await call('listEscalations', { token, query: { team, status: 'open' } });
    const paged: Escalation[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('listEscalations', {
        token,
        query: { team, limit: '1', ...(cursor ? { cursor } : {}) },
      });
      paged.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor !== undefined && paged.length < 10);
    // Assert
    expect(all.status).toBe(200);
    expect(all.body.items.map((e: Escalation) => [e.id, e.status])).toEqual([
      [third?.id, 'open'],
      [first?.id, 'open'],
      [second?.id, 'resolved'],
    ]);
    expect(all.body.items[0]).toEqual({
      id: third?.id,
      workId: third?.workId,
      team,
      kind: 'retries_exhausted',
      status: 'open',
      openedAt: third?.openedAt,
      details: { attempts: 3, maxAttempts: 3 },
    });
    expect(open.body.items.map((e: Escalation) => e.id)).toEqual([third?.id, first?.id]);
    expect(paged.map((e: Escalation) => e.id)).toEqual(all.body.items.map((e: Escalation) => e.id));
  });

  it('answers 403 to an agent and 400 to an unknown status', async () => {
    const { token } = await seedAgent(storeOf());

    const asAgent = await call('listEscalations', { token });
    const badStatus = await call('listEscalations', { token: ADMIN, query: { status: 'closed' } });

    expect(asAgent.status).toBe(403);
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.details.errors).toEqual([expect.objectContaining({ path: '/status' })]);
  });
});

describe('POST /v1/escalations/{id}/resolve', () => {
  it('resolves once with the note, answers the same afterwards, and leaves the item alone', async () => {
    // Arrange
    const [escalation] = await seedEscalations(`team-${unique()}`, 1);
    const id = escalation?.id ?? '';
    const itemBefore = await storeOf().ports.work.get(escalation?.workId ?? '');
    // Act
    const first = await call('resolveEscalation', {
      token: ADMIN,
      params: { id },
      body: { note: 'paged the owner' },
    });
    const again = await call('resolveEscalation', { token: ADMIN, params: { id }, body: {} });
    // Assert
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      id,
      status: 'resolved',
      resolvedAt: expect.any(String),
      resolution: { by: { type: 'admin', id: 'admin' }, note: 'paged the owner' },
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await storeOf().ports.work.get(escalation?.workId ?? '')).toEqual(itemBefore);
    const audit = await call('listAudit', { token: ADMIN, query: { entityId: id } });
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual([
      'escalation.resolved',
      'escalation',
    ]);
  });

  it('answers 404 for an escalation that does not exist and 403 to a viewer', async () => {
    const [escalation] = await seedEscalations(`team-${unique()}`, 1);

    const missing = await call('resolveEscalation', {
      token: ADMIN,
      params: { id: 'wi_nope~deadline~1' },
      body: {},
    });
    const garbled = await call('resolveEscalation', {
      token: ADMIN,
      params: { id: 'not-an-escalation' },
      body: {},
    });
    const viewer = await call('resolveEscalation', {
      token: await viewerToken(),
      params: { id: escalation?.id ?? '' },
      body: {},
    });

    expect([missing.status, missing.body.error.code]).toEqual([404, 'not_found']);
    expect(garbled.status).toBe(404);
    expect(viewer.status).toBe(403);
  });
});
