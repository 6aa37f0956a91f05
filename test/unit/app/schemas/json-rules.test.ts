import { describe, expect, it } from 'vitest';
import { depthOf, unstorableReason } from '#app/schemas/json-rules';

describe('free-form JSON rules', () => {
  it('counts nesting levels of objects and arrays, scalars being 0', () => {
    expect(depthOf(1)).toBe(0);
    expect(depthOf({})).toBe(1);
    expect(depthOf({ a: [1, { b: {} }] })).toBe(4);
  });

  it('measures a value nested far past any stack without failing', () => {
    let deep: unknown = {};
    for (let level = 1; level < 100_000; level += 1) deep = [deep];

    expect(depthOf(deep)).toBe(100_000);
  });

  it('names the place of an empty key or an out-of-range number', () => {
    expect(unstorableReason({ a: { '': 1 } })).toBe('has an empty key at /a (the store cannot keep one)');
    expect(unstorableReason({ 'x/y': [0, -1e-200] })).toBe(
      'holds a number out of the storable range at /x~1y/1',
    );
    expect(unstorableReason({ a: [1.5, 0, -1e125, 1e-130, '', '🚀'] })).toBeUndefined();
    expect(unstorableReason({ a: ['ok', 'x\ud800'] })).toBe('holds a lone surrogate at /a/1');
    expect(unstorableReason({ a: { '\udc00': 1 } })).toBe('holds a lone surrogate in a key at /a');
  });
});
