import { describe, expect, it } from 'vitest';
import { importOrder } from '#core/import/order';

describe('importOrder', () => {
  it('puts items after the items of the same call they depend on', () => {
    const order = importOrder([
      { id: 'c', dependsOn: ['b'] },
      { id: 'b', dependsOn: ['a'] },
      { id: 'a' },
      { id: 'd', dependsOn: ['a', 'stored-elsewhere'] },
    ]);

    expect(order.layers).toEqual([[2], [1, 3], [0]]);
    expect(order.cyclic).toEqual([]);
  });

  it('imposes no order for dependencies outside the call', () => {
    expect(importOrder([{ id: 'a', dependsOn: ['x'] }, { id: 'b' }]).layers).toEqual([[0, 1]]);
  });

  it('reports the records of a cycle and still orders the others', () => {
    const order = importOrder([
      { id: 'a', dependsOn: ['b'] },
      { id: 'b', dependsOn: ['a'] },
      { id: 'c' },
      { id: 'd', dependsOn: ['a'] },
    ]);

    expect(order.layers).toEqual([[2]]);
    expect(order.cyclic).toEqual([0, 1, 3]);
  });

  it('lets a record naming itself be judged by the rules, not the order', () => {
    expect(importOrder([{ id: 'a', dependsOn: ['a'] }])).toEqual({ layers: [[0]], cyclic: [] });
  });
});
