import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, isIndexBelow, isKeyOf } from '#core/cursor';
import { ValidationError } from '#core/errors';

const isAny = (value: unknown): value is unknown => value !== undefined;
const scope = { list: 'work', filters: { team: 'a', status: undefined } };

describe('list cursors', () => {
  it('gives back the position under the same list and filters, unicode included', () => {
    const position = { k: { pk: 'WORK#é🚀' }, s: 2 };

    expect(decodeCursor(encodeCursor(scope, position), scope, isAny)).toEqual(position);
    expect(
      decodeCursor(encodeCursor(scope, position), { list: 'work', filters: { team: 'a' } }, isAny),
    ).toEqual(position);
  });

  it('answers undefined without a cursor', () => {
    expect(decodeCursor(undefined, scope, isAny)).toBeUndefined();
  });

  it.each([
    ['another list', { list: 'agents', filters: { team: 'a' } }],
    ['other filters', { list: 'work', filters: { team: 'b' } }],
    ['an added filter', { list: 'work', filters: { team: 'a', status: 'ready' } }],
  ])('refuses a cursor made by %s', (_name, other) => {
    const cursor = encodeCursor(other, { s: 0 });

    expect(() => decodeCursor(cursor, scope, isAny)).toThrow(ValidationError);
  });

  it.each(['%%%', 'e30', Buffer.from('{"s":1,"k":{}}').toString('base64url'), '_w', ''])(
    'refuses the hand-made cursor %j',
    (cursor) => {
      expect(() => decodeCursor(cursor, scope, isAny)).toThrow(ValidationError);
    },
  );

  it('refuses a position its list does not accept', () => {
    const cursor = encodeCursor(scope, { s: 9 });

    expect(() => decodeCursor(cursor, scope, (v): v is { s: number } => v === 1)).toThrow(
      'The request is not valid.',
    );
  });

  it('checks keys for exactly their attributes and indexes for their range', () => {
    expect(isKeyOf({ pk: 'a', sk: 'b' }, ['pk', 'sk'])).toBe(true);
    expect(isKeyOf({ pk: 'a' }, ['pk', 'sk'])).toBe(false);
    expect(isKeyOf({ pk: 'a', sk: 'b', x: 'c' }, ['pk', 'sk'])).toBe(false);
    expect(isKeyOf({ pk: 'a', sk: 1 }, ['pk', 'sk'])).toBe(false);
    expect(isIndexBelow(0, 2)).toBe(true);
    expect(isIndexBelow(2, 2)).toBe(false);
    expect(isIndexBelow(-1, 2)).toBe(false);
    expect(isIndexBelow(1.5, 2)).toBe(false);
  });
});
