import { ValidationError } from '#core/errors';

/**
 * Opaque list cursors: a small JSON position, base64url-encoded. Callers only hand them back;
 * one that does not decode is a bad request, not a server error.
 */
export const encodeCursor = (position: Record<string, unknown>): string =>
  Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');

const invalidCursor = (): ValidationError =>
  new ValidationError([{ path: '/cursor', message: 'must be a cursor returned by this list' }]);

/**
 * The position a cursor holds, checked by `isPosition`; `undefined` without a cursor.
 * @throws ValidationError when the cursor was not made by this list.
 */
export const decodeCursor = <T>(
  cursor: string | undefined,
  isPosition: (value: unknown) => value is T,
): T | undefined => {
  if (cursor === undefined) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!isPosition(decoded)) throw invalidCursor();
  return decoded;
};

/** Whether a value is an object whose values are all strings (a stored key). */
export const isStringRecord = (value: unknown): value is Record<string, string> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((entry) => typeof entry === 'string');

/** Whether a value is a plain object. */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
