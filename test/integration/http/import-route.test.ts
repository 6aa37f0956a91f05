import { describe, expect, it } from 'vitest';
import { unique } from '#test/support/builders';
import { toBatches } from '../../../cli/legacy/batch';
import { planFixture } from '../../unit/cli/support/legacy-fixtures';
import { ADMIN, call, useHandlerStore } from './handlers';

useHandlerStore('http-import');

const aWorkRecord = (team: string, overrides: Record<string, unknown> = {}) => ({
  id: `work_${unique()}`,
  type: 'backend',
  title: 'Imported work',
  team,
  status: 'ready',
  progress: 0,
  attempts: 0,
  createdAt: '2026-02-21T12:00:00Z',
  updatedAt: '2026-02-21T13:00:00Z',
  ...overrides,
});

describe('POST /v1/import, record by record', () => {
  it('rejects an oversized record alone and imports the others, also when run again', async () => {
    const team = `t-${unique()}`;
    const records = [
      aWorkRecord(team),
      aWorkRecord(team, { metadata: { blob: 'x'.repeat(450 * 1024) } }),
      aWorkRecord(team),
    ];

    const first = await call('importRecords', { token: ADMIN, body: { work: records } });
    const again = await call('importRecords', { token: ADMIN, body: { work: records } });
    const listed = await call('listWork', { token: ADMIN, query: { team } });

    expect(first.status).toBe(200);
    expect(first.body.created.work).toBe(2);
    expect(first.body.rejected).toEqual([
      {
        kind: 'work',
        index: 1,
        id: records[1]?.id,
        reason: expect.stringMatching(/^\(record\): is \d+ bytes; one record may take at most 262144 bytes/),
      },
    ]);
    expect(again.status).toBe(200);
    expect(again.body.unchanged.work).toBe(2);
    expect(again.body.rejected).toHaveLength(1);
    expect(listed.body.items.map((item: { id: string }) => item.id).sort()).toEqual(
      [records[0]?.id, records[2]?.id].sort(),
    );
  });

  it('rejects records the store cannot keep (too deep, empty keys) with the field named', async () => {
    let deep: Record<string, unknown> = {};
    for (let level = 1; level < 40; level += 1) deep = { a: deep };
    const team = `t-${unique()}`;
    const records = [
      aWorkRecord(team, { metadata: deep }),
      aWorkRecord(team, { result: { '': 'empty key' }, status: 'completed', progress: 100 }),
      aWorkRecord(team),
    ];

    const answer = await call('importRecords', {
      token: ADMIN,
      body: {
        work: records,
        events: [
          {
            at: '2025-06-01T10:00:00Z',
            action: 'work.noted',
            entityType: 'work',
            entityId: records[2]?.id,
            details: deep,
          },
        ],
      },
    });

    expect(answer.status).toBe(200);
    expect(answer.body.created.work).toBe(1);
    expect(answer.body.rejected).toEqual([
      {
        kind: 'work',
        index: 0,
        id: records[0]?.id,
        reason: '/metadata: must be nested at most 16 levels deep',
      },
      {
        kind: 'work',
        index: 1,
        id: records[1]?.id,
        reason: '/result: has an empty key at / (the store cannot keep one)',
      },
      {
        kind: 'events',
        index: 0,
        id: records[2]?.id,
        reason: '/details: must be nested at most 16 levels deep',
      },
    ]);
  });
});

describe('POST /v1/import, minimal records (API.md "Import")', () => {
  it('imports agents with only id and team, and work with only the create fields and an id', async () => {
    const team = `t-${unique()}`;
    const agentId = `agent-${unique()}`;
    const first = `work_${unique()}`;
    const second = `work_${unique()}`;
    const before = Date.now();

    const answer = await call('importRecords', {
      token: ADMIN,
      body: {
        agents: [{ id: agentId, team }],
        work: [
          { id: first, type: 'build', title: 'First', team },
          { id: second, type: 'build', title: 'Second', team, dependsOn: [first] },
        ],
      },
    });
    const again = await call('importRecords', {
      token: ADMIN,
      body: {
        agents: [{ id: agentId, team }],
        work: [
          { id: first, type: 'build', title: 'First', team },
          { id: second, type: 'build', title: 'Second', team, dependsOn: [first] },
        ],
      },
    });
    const agent = await call('getAgent', { token: ADMIN, params: { id: agentId } });
    const ready = await call('getWork', { token: ADMIN, params: { id: first } });
    const blocked = await call('getWork', { token: ADMIN, params: { id: second } });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ created: { agents: 1, work: 2 }, rejected: [], conflicts: [] });
    expect(again.body).toMatchObject({ unchanged: { agents: 1, work: 2 }, rejected: [], conflicts: [] });
    expect(agent.body).toMatchObject({ id: agentId, team, status: 'idle', activeClaims: 0 });
    expect(Date.parse(agent.body.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(ready.body).toMatchObject({ status: 'ready', progress: 0, attempts: 0 });
    expect(ready.body.updatedAt).toBe(ready.body.createdAt);
    expect(Date.parse(ready.body.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(blocked.body).toMatchObject({ status: 'blocked', progress: 0, attempts: 0 });
  });

  it('describes the optional fields in the OpenAPI document', async () => {
    const answer = await call('openapi');
    const schemas = answer.body.components.schemas;

    expect(schemas.ImportAgentRecord.required.sort()).toEqual(['id', 'team']);
    expect(schemas.ImportWorkRecord.required.sort()).toEqual(['id', 'team', 'title', 'type']);
  });
});

describe('legacy files imported through the route', () => {
  const importDir = async (dir: string) => {
    const plan = await planFixture(dir);
    const { batches, oversized } = toBatches(plan);
    expect(oversized).toEqual([]);
    const answers = [];
    for (const batch of batches) {
      answers.push(await call('importRecords', { token: ADMIN, body: JSON.parse(batch.text) }));
    }
    return { plan, answers };
  };

  it.each(['', 'upstream-sample'])('imports the legacy fixtures %j cleanly', async (dir) => {
    const { answers } = await importDir(dir);

    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body.rejected).toEqual([]);
      expect(answer.body.conflicts).toEqual([]);
    }
  });

  it('shows history from 2025 in the unfiltered audit listing, newest first', async () => {
    const { plan } = await importDir('upstream-sample');
    const oldEvents = plan.events.filter((event) => (event.record as { at: string }).at.startsWith('2025-'));
    expect(oldEvents.length).toBeGreaterThan(0);

    const seen: { at: string; entityId: string; action: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('listAudit', {
        token: ADMIN,
        query: { limit: '200', ...(cursor ? { cursor } : {}) },
      });
      expect(page.status).toBe(200);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor !== undefined);

    for (const event of oldEvents) {
      const record = event.record as { at: string; entityId: string; action: string };
      expect(seen).toContainEqual(
        expect.objectContaining({ entityId: record.entityId, at: new Date(record.at).toISOString() }),
      );
    }
    const times = seen.map((event) => event.at);
    expect(times).toEqual([...times].sort().reverse());
  });
});
