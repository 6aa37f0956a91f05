import { describe, expect, it } from 'vitest';
import type { ImportDecision } from '#core/import/outcome';
import type { WorkRecord } from '#core/import/records';
import { withWorkDefaults } from '#core/import/records';
import { importWork, MAX_IMPORT_DEPENDENCIES, type WorkImportFound } from '#core/import/work';
import type { Agent, WorkItem } from '#core/model';
import type { Change } from '#core/ports';
import { anAgent, aWorkItem, NOW, workContext } from '../builders';

const record = (overrides: Partial<WorkRecord> = {}): WorkRecord => ({
  id: 'work_1795264684692079629',
  type: 'ci_cd',
  title: 'Flaky integration test quarantine',
  team: 'platform_team',
  priority: 'high',
  status: 'in_progress',
  progress: 15,
  attempts: 0,
  createdAt: '2026-02-21T12:38:04Z',
  updatedAt: '2026-02-21T18:38:07Z',
  claim: { agentId: 'agent-a', claimedAt: '2026-02-21T12:38:04Z' },
  metadata: { legacy: { status: 'in_progress' } },
  ...overrides,
});

const unclaimed = (overrides: Partial<WorkRecord> = {}): WorkRecord => {
  const { claim: _none, ...rest } = record({ status: 'ready', progress: 0, ...overrides });
  return rest;
};

const holder = anAgent({ id: 'agent-a', lastHeartbeatAt: '2026-02-24T12:38:12.000Z', version: 4 });

const decide = (input: WorkRecord, found: Partial<WorkImportFound> = {}, fingerprint = 'fp-1') =>
  importWork(input, { dependencies: [], holder, ...found }, fingerprint, 'fresh-token', workContext());

const changeOf = (decision: ImportDecision): Change => {
  if (decision.outcome !== 'created') throw new Error(`expected created, got ${JSON.stringify(decision)}`);
  return decision.change;
};

const itemOf = (decision: ImportDecision): WorkItem => {
  const write = changeOf(decision).writes.find((candidate) => candidate.kind === 'work');
  if (write?.kind !== 'work') throw new Error('expected a work write');
  return write.item;
};

describe('importWork', () => {
  it('keeps the id, status, progress, attempts, times and metadata, created by the import', () => {
    const item = itemOf(decide(record()));

    expect(item).toMatchObject({
      id: 'work_1795264684692079629',
      type: 'ci_cd',
      title: 'Flaky integration test quarantine',
      team: 'platform_team',
      priority: 'high',
      businessValue: 50,
      maxAttempts: 3,
      status: 'in_progress',
      progress: 15,
      attempts: 0,
      version: 1,
      createdAt: '2026-02-21T12:38:04.000Z',
      updatedAt: '2026-02-21T18:38:07.000Z',
      createdBy: { type: 'import', id: 'admin' },
      metadata: { legacy: { status: 'in_progress' } },
      importFingerprint: 'fp-1',
    });
    expect(item).not.toHaveProperty('readyAt');
    expect(item).not.toHaveProperty('reviewAt');
  });

  it('gives an imported claim a token nobody knows and a lease of leaseSeconds from now', () => {
    const item = itemOf(decide(record()));

    expect(item.claim).toEqual({
      agentId: 'agent-a',
      token: 'fresh-token',
      claimedAt: '2026-02-21T12:38:04.000Z',
      leaseExpiresAt: new Date(NOW.getTime() + 300_000).toISOString(),
      holderLastHeartbeatAt: '2026-02-24T12:38:12.000Z',
      holderHeartbeatIntervalSec: 30,
    });
  });

  it("counts the claim toward the holder's activeClaims, even beyond its capacity", () => {
    const full = anAgent({ id: 'agent-a', capacity: 1, activeClaims: 1, version: 4 });

    const change = changeOf(decide(record(), { holder: full }));

    expect(change.writes).toContainEqual({
      kind: 'agent',
      agent: expect.objectContaining({ id: 'agent-a', activeClaims: 2, version: 5 }),
      expectedVersion: 4,
    });
  });

  it('records a work.imported event at seq 1 naming the holder', () => {
    const change = changeOf(decide(record()));

    expect(change.events).toEqual([
      expect.objectContaining({
        action: 'work.imported',
        entityId: 'work_1795264684692079629',
        seq: 1,
        team: 'platform_team',
        agentId: 'agent-a',
        actor: { type: 'admin', id: 'admin' },
        after: expect.objectContaining({
          status: 'in_progress',
          progress: 15,
          createdAt: '2026-02-21T12:38:04.000Z',
        }),
      }),
    ]);
    expect(JSON.stringify(change.events)).not.toContain('fresh-token');
  });

  it('keeps a finished item finished, with its result and completion time', () => {
    const item = itemOf(
      decide(
        unclaimed({
          status: 'completed',
          progress: 100,
          result: 'success',
          completedAt: '2026-02-22T10:00:00Z',
        }),
      ),
    );

    expect(item).toMatchObject({
      status: 'completed',
      result: 'success',
      completedAt: '2026-02-22T10:00:00.000Z',
    });
    expect(item).not.toHaveProperty('claim');
  });

  it('makes a waiting item ready, aging from its updatedAt, when its dependencies are completed', () => {
    const done = aWorkItem({ id: 'dep-1', status: 'completed', version: 3 });

    const decision = decide(unclaimed({ dependsOn: ['dep-1'] }), { dependencies: [done] });

    expect(itemOf(decision)).toMatchObject({
      status: 'ready',
      readyAt: '2026-02-21T18:38:07.000Z',
      remainingDeps: [],
    });
  });

  it('asks the sweeper to review a waiting item at its deadline', () => {
    const item = itemOf(decide(unclaimed({ deadline: '2026-03-05T12:00:00Z' })));

    expect(item).toMatchObject({ status: 'ready', deadline: '2026-03-05T12:00:00.000Z' });
    expect(Date.parse(item.reviewAt ?? '')).toBeLessThanOrEqual(Date.parse('2026-03-05T12:00:00Z'));
  });

  it('blocks a waiting item while a dependency is not completed, and links it into each dependency', () => {
    const open = aWorkItem({ id: 'dep-1', status: 'ready', version: 3 });
    const done = aWorkItem({ id: 'dep-2', status: 'completed', version: 2 });

    const decision = decide(unclaimed({ dependsOn: ['dep-1', 'dep-2'] }), { dependencies: [open, done] });

    expect(itemOf(decision)).toMatchObject({
      status: 'blocked',
      remainingDeps: ['dep-1'],
      dependsOn: ['dep-1', 'dep-2'],
    });
    expect(itemOf(decision)).not.toHaveProperty('readyAt');
    const writes = changeOf(decision).writes;
    expect(writes).toContainEqual({
      kind: 'work',
      item: expect.objectContaining({ id: 'dep-1', dependents: ['work_1795264684692079629'], version: 4 }),
      expectedVersion: 3,
    });
    expect(changeOf(decision).events.map((event) => event.action)).toEqual([
      'work.imported',
      'work.dependent_added',
      'work.dependent_added',
    ]);
  });

  it.each([
    [
      'a held status without a claim',
      unclaimed({ status: 'claimed' }),
      'status claimed needs a claim {agentId, claimedAt}',
    ],
    [
      'a claim on a status that holds none',
      record({ status: 'completed' }),
      'status completed holds no claim, but a claim is given',
    ],
    ['more attempts than allowed', unclaimed({ attempts: 4 }), 'attempts 4 exceeds maxAttempts 3'],
    [
      'a dependency on itself',
      unclaimed({ dependsOn: ['work_1795264684692079629'] }),
      'a work item cannot depend on itself',
    ],
    [
      'too many dependencies for one change',
      unclaimed({ dependsOn: Array.from({ length: MAX_IMPORT_DEPENDENCIES + 1 }, (_, i) => `dep-${i}`) }),
      `an imported item may name at most ${MAX_IMPORT_DEPENDENCIES} dependencies`,
    ],
    [
      'a path that climbs out of the repository',
      unclaimed({ paths: ['src/**', '../secrets'] }),
      'paths/1: must not contain . or .. segments',
    ],
  ])('rejects %s', (_case, input, reason) => {
    expect(decide(input)).toEqual({ outcome: 'rejected', reason });
  });

  it('stores the declared paths in their normalized form', () => {
    expect(itemOf(decide(unclaimed({ paths: ['docs/', 'src/**/**/x.ts'] }))).paths).toEqual([
      'docs/**',
      'src/**/x.ts',
    ]);
  });

  it('rejects unknown dependencies and claims of agents that are missing or retiring', () => {
    const retiring: Agent = {
      ...holder,
      retirement: { mode: 'drain', requestedAt: NOW.toISOString() },
      activeClaims: 1,
    };
    const retired: Agent = {
      ...holder,
      retirement: { mode: 'drain', requestedAt: NOW.toISOString(), retiredAt: NOW.toISOString() },
    };

    expect(decide(unclaimed({ dependsOn: ['nope', 'gone'] }))).toEqual({
      outcome: 'rejected',
      reason: 'unknown dependencies: nope, gone',
    });
    expect(importWork(record(), { dependencies: [] }, 'fp', 't', workContext())).toEqual({
      outcome: 'rejected',
      reason: 'claim holder agent-a is not registered (import the agent first)',
    });
    expect(decide(record(), { holder: retiring })).toEqual({
      outcome: 'rejected',
      reason: 'claim holder agent-a is retiring and takes no claims',
    });
    expect(decide(record(), { holder: retired })).toEqual({
      outcome: 'rejected',
      reason: 'claim holder agent-a is retired and takes no claims',
    });
  });

  it('answers unchanged for an id imported with the same content, whatever happened since', () => {
    const existing = {
      ...aWorkItem({ id: record().id, status: 'completed', version: 9 }),
      importFingerprint: 'fp-1',
    };

    expect(decide(record(), { existing })).toEqual({ outcome: 'unchanged' });
  });

  it('reports a conflict for other content under the id, and for an item created through the API', () => {
    const imported = { ...aWorkItem({ id: record().id }), importFingerprint: 'fp-0' };
    const created = aWorkItem({ id: record().id });

    expect(decide(record(), { existing: imported })).toMatchObject({
      outcome: 'conflict',
      reason: expect.stringContaining('was imported with other content'),
    });
    expect(decide(record(), { existing: created })).toMatchObject({
      outcome: 'conflict',
      reason: expect.stringContaining('exists and was not imported'),
    });
  });
});

describe('a work record with only the create fields and an id', () => {
  it('is ready, without progress or attempts, created and updated at the import time', () => {
    expect(
      withWorkDefaults({ id: 'w-1', type: 'build', title: 'x', team: 't' }, '2026-12-04T10:00:00.000Z'),
    ).toEqual({
      id: 'w-1',
      type: 'build',
      title: 'x',
      team: 't',
      status: 'ready',
      progress: 0,
      attempts: 0,
      createdAt: '2026-12-04T10:00:00.000Z',
      updatedAt: '2026-12-04T10:00:00.000Z',
    });
  });

  it('is updated when created unless it says otherwise', () => {
    const full = withWorkDefaults(
      { id: 'w-1', type: 'build', title: 'x', team: 't', createdAt: '2025-05-01T00:00:00Z' },
      '2026-12-04T10:00:00.000Z',
    );

    expect(full.updatedAt).toBe('2025-05-01T00:00:00Z');
  });
});

describe('importWork: limits and exact shapes', () => {
  const dependencies = (count: number): WorkItem[] =>
    Array.from({ length: count }, (_, i) => aWorkItem({ id: `dep-${i}`, status: 'completed' }));

  it(`takes exactly ${MAX_IMPORT_DEPENDENCIES} dependencies of a held item within one store transaction`, () => {
    expect(MAX_IMPORT_DEPENDENCIES).toBe(48);
    const found = dependencies(MAX_IMPORT_DEPENDENCIES);
    const change = changeOf(decide(record({ dependsOn: found.map((d) => d.id) }), { dependencies: found }));
    expect(change.writes).toHaveLength(MAX_IMPORT_DEPENDENCIES + 2);
    expect(change.writes.length + change.events.length).toBeLessThanOrEqual(100);
  });

  it('takes as many attempts as maxAttempts', () => {
    expect(itemOf(decide(unclaimed({ attempts: 3, maxAttempts: 3 }))).attempts).toBe(3);
  });

  it('needs no holder for a record without a claim', () => {
    const change = changeOf(importWork(unclaimed(), { dependencies: [] }, 'fp', 't', workContext()));
    expect(change.writes).toEqual([
      { kind: 'work', item: expect.objectContaining({ status: 'ready' }), expectedVersion: null },
    ]);
    expect(change.events[0]).not.toHaveProperty('agentId');
  });

  it('keeps empty lists empty: no dependencies, dependents, remaining dependencies or capabilities', () => {
    const item = itemOf(decide(record()));
    expect(item.dependsOn).toEqual([]);
    expect(item.dependents).toEqual([]);
    expect(item.remainingDeps).toEqual([]);
    expect(item.requiredCapabilities).toEqual([]);
  });

  it('keeps a copy of the required capabilities', () => {
    const requiredCapabilities = ['ts', 'aws'];
    const item = itemOf(decide(record({ requiredCapabilities })));
    expect(item.requiredCapabilities).toEqual(['ts', 'aws']);
    expect(item.requiredCapabilities).not.toBe(requiredCapabilities);
  });

  it('counts no remaining dependencies for an item in flight, even if one is not completed', () => {
    const open = aWorkItem({ id: 'dep-1', status: 'ready' });
    const item = itemOf(decide(record({ dependsOn: ['dep-1'] }), { dependencies: [open] }));
    expect(item).toMatchObject({ status: 'in_progress', remainingDeps: [] });
  });

  it('makes a blocked record ready when its dependencies are completed', () => {
    const done = aWorkItem({ id: 'dep-1', status: 'completed' });
    const item = itemOf(
      decide(unclaimed({ status: 'blocked', dependsOn: ['dep-1'] }), { dependencies: [done] }),
    );
    expect(item).toMatchObject({ status: 'ready', remainingDeps: [] });
  });

  it('links only the dependencies the record names', () => {
    const named = aWorkItem({ id: 'dep-1', status: 'completed' });
    const other = aWorkItem({ id: 'dep-other', status: 'completed' });
    const change = changeOf(decide(unclaimed({ dependsOn: ['dep-1'] }), { dependencies: [named, other] }));
    expect(change.writes.map((write) => (write.kind === 'work' ? write.item.id : write.kind))).toEqual([
      'work_1795264684692079629',
      'dep-1',
    ]);
  });

  it('says in a conflict that the stored item was not imported', () => {
    const created = aWorkItem({ id: record().id });
    expect(decide(record(), { existing: created })).toEqual({
      outcome: 'conflict',
      reason: `work item ${record().id} exists and was not imported; an import never overwrites it`,
    });
  });
});
