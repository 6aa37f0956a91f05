import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, invalidCursor, isIndexBelow, isKeyOf, isObject } from '#core/cursor';
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
    expect(isKeyOf({ pk: 'a', sk: '' }, ['pk', 'sk'])).toBe(false);
    expect(isIndexBelow(0, 2)).toBe(true);
    expect(isIndexBelow(2, 2)).toBe(false);
    expect(isIndexBelow(-1, 2)).toBe(false);
    expect(isIndexBelow(1.5, 2)).toBe(false);
  });

  it('answers one field error on /cursor, whatever is wrong with the cursor', () => {
    const expected = [{ path: '/cursor', message: 'must be a cursor returned by this list' }];

    expect(invalidCursor().details).toStrictEqual({ errors: expected });
    for (const cursor of ['%%%', encodeCursor({ list: 'agents' }, { s: 0 })]) {
      let error: unknown;
      try {
        decodeCursor(cursor, scope, isAny);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).details).toStrictEqual({ errors: expected });
    }
  });
});

describe('cursors across deploys', () => {
  // A cursor handed out before a deploy must still page after it: the encoding of a list, its
  // filters and its position is fixed. This one was made by the current code.
  const byStatus = { list: 'work.byStatus', filters: { team: 'core', status: 'ready', agent: 'agent-7' } };
  const position = { k: { pk: 'WORK#w-1', sk: '~~~???>>>' }, s: 3 };
  const issued =
    'eyJsIjoid29yay5ieVN0YXR1cyIsImYiOiIyZDBqNmFnNmJwZSIsInAiOnsiayI6eyJwayI6IldPUksjdy0xIiwic2siOiJ-fn4_Pz8-Pj4ifSwicyI6M319';

  it('encodes a list, its filters and a position to the same URL-safe cursor as before', () => {
    expect(encodeCursor(byStatus, position)).toBe(issued);
    expect(issued).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(issued).toContain('-');
    expect(issued).toContain('_');
  });

  it('gives back the position of an earlier cursor, whatever order the filters come in', () => {
    const reordered = { list: 'work.byStatus', filters: { agent: 'agent-7', status: 'ready', team: 'core' } };
    const shuffled = { list: 'work.byStatus', filters: { status: 'ready', agent: 'agent-7', team: 'core' } };

    expect(decodeCursor(issued, byStatus, isAny)).toEqual(position);
    expect(decodeCursor(issued, reordered, isAny)).toEqual(position);
    expect(decodeCursor(issued, shuffled, isAny)).toEqual(position);
    expect(encodeCursor(reordered, position)).toBe(issued);
    expect(encodeCursor(shuffled, position)).toBe(issued);
  });

  it.each([
    ['standard base64 padding', `${issued}==`],
    ['a leading space', ` ${issued}`],
    ['a trailing space', `${issued} `],
    ['standard base64 letters', issued.replaceAll('-', '+').replaceAll('_', '/')],
  ])('refuses an earlier cursor with %s', (_name, cursor) => {
    expect(() => decodeCursor(cursor, byStatus, isAny)).toThrow(ValidationError);
  });
});

describe('hand-made cursors', () => {
  const encodeJson = (json: string | Uint8Array): string =>
    Buffer.from(json).toString('base64url').replace(/=+$/, '');
  const made = JSON.parse(Buffer.from(encodeCursor(scope, { s: 1 }), 'base64url').toString('utf8'));

  it.each([['null'], ['1'], ['"text"'], ['[]']])('refuses the JSON value %s', (json) => {
    expect(() => decodeCursor(encodeJson(json), scope, isAny)).toThrow(ValidationError);
  });

  it('refuses a cursor whose list name was edited, even with the digest of this list', () => {
    const edited = encodeJson(JSON.stringify({ ...made, l: 'agents' }));

    expect(decodeCursor(encodeJson(JSON.stringify(made)), scope, isAny)).toEqual({ s: 1 });
    expect(() => decodeCursor(edited, scope, isAny)).toThrow(ValidationError);
  });

  it('refuses a cursor that is not valid UTF-8', () => {
    const json = JSON.stringify({ ...made, p: 'X' });
    const at = json.indexOf('"X"') + 1;
    const bytes = Buffer.concat([
      Buffer.from(json.slice(0, at)),
      Buffer.from([0xff]),
      Buffer.from(json.slice(at + 1)),
    ]);

    expect(() => decodeCursor(encodeJson(bytes), scope, isAny)).toThrow(ValidationError);
  });
});

describe('isObject', () => {
  it('holds for plain objects only', () => {
    expect(isObject({})).toBe(true);
    expect(isObject({ a: 1 })).toBe(true);
    expect(isObject(null)).toBe(false);
    expect(isObject([])).toBe(false);
    expect(isObject('text')).toBe(false);
    expect(isObject(1)).toBe(false);
    expect(isObject(undefined)).toBe(false);
  });
});
