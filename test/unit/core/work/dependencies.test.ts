import { describe, expect, it } from 'vitest';
import { addDependent, unblockDependent } from '#core/work/dependencies';
import { aWorkItem, NOW, workContext } from '../builders';

describe('unblockDependent', () => {
  it('makes a blocked item ready when its last dependency completes', () => {
    const blocked = aWorkItem({ status: 'blocked', readyAt: undefined, remainingDeps: ['a'] });
    const decision = unblockDependent(blocked, 'a', workContext());
    expect(decision?.item).toMatchObject({
      status: 'ready',
      remainingDeps: [],
      readyAt: NOW.toISOString(),
      version: 2,
    });
    expect(decision?.change.events[0]).toMatchObject({
      action: 'work.unblocked',
      before: { status: 'blocked' },
    });
  });

  it('keeps it blocked while other dependencies remain', () => {
    const blocked = aWorkItem({ status: 'blocked', readyAt: undefined, remainingDeps: ['a', 'b'] });
    expect(unblockDependent(blocked, 'a', workContext())?.item).toMatchObject({
      status: 'blocked',
      remainingDeps: ['b'],
    });
  });

  it('changes nothing when the item was not waiting on that dependency or is not blocked', () => {
    expect(
      unblockDependent(aWorkItem({ status: 'blocked', remainingDeps: ['b'] }), 'a', workContext()),
    ).toBeUndefined();
    expect(
      unblockDependent(aWorkItem({ status: 'cancelled', remainingDeps: ['a'] }), 'a', workContext()),
    ).toBeUndefined();
  });
});

describe('addDependent', () => {
  it('appends once', () => {
    const dependency = aWorkItem({ dependents: ['x'] });
    expect(addDependent(dependency, 'y', workContext()).item.dependents).toEqual(['x', 'y']);
    expect(addDependent(dependency, 'x', workContext()).item.dependents).toEqual(['x']);
  });
});
