import { ValidationError } from './errors';

/**
 * Opaque list cursors. A cursor carries the name of the list that made it, a digest of the
 * filters it was made under and the list's position (a small JSON value, shape-checked by the
 * list on the way back). A cursor from another list, from the same list under other filters, or
 * one made by hand is a bad request (400 on `/cursor`), never a store error.
 */

/** What a cursor is bound to: the list that made it and the filters it was made under. */
export interface CursorScope {
  /** The list's name, e.g. `work.byStatus`. */
  readonly list: string;
  /** The filters that decide which items the list holds (undefined ones are left out). */
  readonly filters?: Readonly<Record<string, string | number | boolean | undefined>>;
}

/** The one error every list answers for a cursor it did not make. */
export const invalidCursor = (): ValidationError =>
  new ValidationError([{ path: '/cursor', message: 'must be a cursor returned by this list' }]);

/** cyrb53: a fast 53-bit string hash; it only tells filters apart, it is no signature. */
const digest = (text: string): string => {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
};

const scopeDigest = (scope: CursorScope): string => {
  const filters = Object.entries(scope.filters ?? {})
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return digest(JSON.stringify([scope.list, filters]));
};

const toBase64Url = (text: string): string => {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
};

const fromBase64Url = (cursor: string): string => {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
  const binary = atob(cursor.replaceAll('-', '+').replaceAll('_', '/'));
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
};

/** The cursor of `position` in the list `scope` names. */
export const encodeCursor = (scope: CursorScope, position: unknown): string =>
  toBase64Url(JSON.stringify({ l: scope.list, f: scopeDigest(scope), p: position }));

/**
 * The position a cursor holds, checked by `isPosition`; `undefined` without a cursor.
 * @throws ValidationError when the cursor was not made by this list under these filters.
 */
export const decodeCursor = <T>(
  cursor: string | undefined,
  scope: CursorScope,
  isPosition: (value: unknown) => value is T,
): T | undefined => {
  if (cursor === undefined) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(fromBase64Url(cursor));
  } catch {
    throw invalidCursor();
  }
  if (!isObject(decoded) || decoded.l !== scope.list || decoded.f !== scopeDigest(scope))
    throw invalidCursor();
  if (!isPosition(decoded.p)) throw invalidCursor();
  return decoded.p;
};

/** Whether a value is a plain object. */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether a value is an object holding exactly these attributes, each a non-empty string. */
export const isKeyOf = (value: unknown, attributes: readonly string[]): value is Record<string, string> =>
  isObject(value) &&
  Object.keys(value).length === attributes.length &&
  attributes.every((name) => typeof value[name] === 'string' && value[name] !== '');

/** Whether a value is an integer index into a list of `length` entries. */
export const isIndexBelow = (value: unknown, length: number): value is number =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) < length;
