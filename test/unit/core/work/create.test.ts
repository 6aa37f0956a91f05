import { describe, expect, it } from 'vitest';
import { UnknownDependencyError, ValidationError } from '#core/errors';
import { createWorkItem } from '#core/work/create';
import { aWorkItem, NOW, workContext } from '../builders';

const base = { id: 'wi-new', type: 'build', title: 'New', team: 'core' };
const agentCtx = () => workContext({ actor: { type: 'agent', id: 'agent-a' } });

describe('createWorkItem', () => {
  it('creates a ready item with the defaults, aging from now', () => {
    const { item, change } = createWorkItem(base, [], agentCtx());
    expect(item).toMatchObject({
      status: 'ready',
      priority: 'medium',
      businessValue: 50,
      maxAttempts: 3,
      attempts: 0,
      progress: 0,
      version: 1,
      urgency: 250,
      readyAt: NOW.toISOString(),
      createdBy: { type: 'agent', id: 'agent-a' },
      remainingDeps: [],
      dependents: [],
    });
    expect(change.writes).toEqual([{ kind: 'work', item, expectedVersion: null }]);
    expect(change.events[0]).toMatchObject({
      action: 'work.created',
      seq: 1,
      entityId: 'wi-new',
      actor: { id: 'agent-a' },
    });
  });

  it('takes maxAttempts from the settings when not given', () => {
    const ctx = { ...workContext(), settings: { ...workContext().settings, defaultMaxAttempts: 7 } };
    expect(createWorkItem(base, [], ctx).item.maxAttempts).toBe(7);
  });

  it('starts blocked while a dependency is not completed, and links itself to every dependency', () => {
    const done = aWorkItem({ id: 'dep-done', status: 'completed', version: 4 });
    const open = aWorkItem({ id: 'dep-open', status: 'in_progress', version: 2, dependents: ['x'] });
    const { item, change } = createWorkItem(
      { ...base, dependsOn: ['dep-done', 'dep-open'] },
      [open, done],
      workContext(),
    );
    expect(item).toMatchObject({
      status: 'blocked',
      remainingDeps: ['dep-open'],
      dependsOn: ['dep-done', 'dep-open'],
    });
    expect(item.readyAt).toBeUndefined();
    expect(change.writes.slice(1)).toEqual([
      {
        kind: 'work',
        item: expect.objectContaining({ id: 'dep-done', dependents: ['wi-new'], version: 5 }),
        expectedVersion: 4,
      },
      {
        kind: 'work',
        item: expect.objectContaining({ id: 'dep-open', dependents: ['x', 'wi-new'], version: 3 }),
        expectedVersion: 2,
      },
    ]);
    expect(change.events.map((e) => [e.action, e.entityId, e.seq])).toEqual([
      ['work.created', 'wi-new', 1],
      ['work.dependent_added', 'dep-done', 5],
      ['work.dependent_added', 'dep-open', 3],
    ]);
  });

  it.each(['failed', 'cancelled'] as const)('stays blocked on a %s dependency', (status) => {
    const { item } = createWorkItem(
      { ...base, dependsOn: ['d'] },
      [aWorkItem({ id: 'd', status })],
      workContext(),
    );
    expect(item.status).toBe('blocked');
  });

  it('refuses unknown dependencies, listing every missing id', () => {
    expect(() =>
      createWorkItem({ ...base, dependsOn: ['a', 'wi-1', 'b'] }, [aWorkItem()], workContext()),
    ).toThrow(expect.objectContaining({ code: 'unknown_dependency', details: { missing: ['a', 'b'] } }));
    expect(() => createWorkItem({ ...base, dependsOn: ['a'] }, [], workContext())).toThrow(
      UnknownDependencyError,
    );
  });

  it('refuses an item depending on itself', () => {
    expect(() => createWorkItem({ ...base, dependsOn: ['wi-new'] }, [], workContext())).toThrow(
      ValidationError,
    );
  });

  it('computes urgency with priority, value and deadline', () => {
    const deadline = new Date(NOW.getTime() + 24 * 3600_000).toISOString();
    const { item } = createWorkItem(
      { ...base, priority: 'critical', businessValue: 10, deadline },
      [],
      workContext(),
    );
    expect(item.urgency).toBe(400 + 10 + 150);
  });
});

describe('createWorkItem: what it keeps', () => {
  it('says why an item naming itself as a dependency is refused, at /dependsOn', () => {
    expect(() => createWorkItem({ ...base, dependsOn: ['wi-new'] }, [], workContext())).toThrow(
      expect.objectContaining({
        code: 'validation_error',
        details: { errors: [{ path: '/dependsOn', message: 'A work item cannot depend on itself.' }] },
      }),
    );
  });

  it('stores the declared paths in normal form, and no paths key when none were declared', () => {
    const declared = createWorkItem({ ...base, paths: ['src/core/', 'docs/**/**/x.md'] }, [], workContext());
    expect(declared.item.paths).toEqual(['src/core/**', 'docs/**/x.md']);
    const none = createWorkItem(base, [], workContext());
    expect('paths' in none.item).toBe(false);
    const empty = createWorkItem({ ...base, paths: [] }, [], workContext());
    expect('paths' in empty.item).toBe(false);
  });

  it('refuses a bad glob among the paths', () => {
    expect(() => createWorkItem({ ...base, paths: ['/etc/passwd'] }, [], workContext())).toThrow(
      ValidationError,
    );
  });

  it('keeps a copy of the required capabilities, and none when none were given', () => {
    const capabilities = ['ts', 'aws'];
    const { item } = createWorkItem({ ...base, requiredCapabilities: capabilities }, [], workContext());
    expect(item.requiredCapabilities).toEqual(['ts', 'aws']);
    expect(item.requiredCapabilities).not.toBe(capabilities);
    expect(createWorkItem(base, [], workContext()).item.requiredCapabilities).toEqual([]);
  });

  it('records the deadline and paths in the created event only when the item has them', () => {
    const deadline = '2026-03-03T12:00:00.000Z';
    const full = createWorkItem({ ...base, deadline, paths: ['src/a.ts'] }, [], workContext());
    expect(full.change.events[0]?.after).toMatchObject({ deadline, paths: ['src/a.ts'] });
    const bare = createWorkItem(base, [], workContext());
    const after = bare.change.events[0]?.after ?? {};
    expect(Object.keys(after)).not.toContain('deadline');
    expect(Object.keys(after)).not.toContain('paths');
  });
});
