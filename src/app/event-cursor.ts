/**
 * The cursor of a live message: the audit event's position (its instant and identity) in an
 * opaque base64url string. A client hands it back as `after` to get what followed it.
 */
import { decodeCursor, encodeCursor, isObject } from '#core/cursor';
import { ValidationError } from '#core/errors';
import type { EventPosition } from '#core/ports';

const SCOPE = { list: 'events' } as const;

interface StoredPosition {
  readonly t: string;
  readonly e: string;
  readonly i: string;
  readonly s: number;
}

const isStoredPosition = (value: unknown): value is StoredPosition =>
  isObject(value) &&
  typeof value.t === 'string' &&
  !Number.isNaN(Date.parse(value.t)) &&
  typeof value.e === 'string' &&
  typeof value.i === 'string' &&
  Number.isInteger(value.s) &&
  (value.s as number) >= 0;

/** The cursor just after the event at this position (an audit event is one). */
export const cursorOf = (event: EventPosition): string =>
  encodeCursor(SCOPE, { t: event.at, e: event.entityType, i: event.entityId, s: event.seq });

/**
 * The position a cursor names.
 * @throws ValidationError on `/<field>` when it is not the cursor of a live message
 */
export const positionOf = (cursor: string, field = 'after'): EventPosition => {
  let stored: StoredPosition | undefined;
  try {
    stored = decodeCursor(cursor, SCOPE, isStoredPosition);
  } catch {
    stored = undefined;
  }
  if (!stored) {
    throw new ValidationError([{ path: `/${field}`, message: 'must be the cursor of a live message' }]);
  }
  return { at: new Date(stored.t).toISOString(), entityType: stored.e, entityId: stored.i, seq: stored.s };
};

/** The position before every event of the instant `at` (where a replay window starts). */
export const positionAt = (at: Date): EventPosition => ({
  at: at.toISOString(),
  entityType: '',
  entityId: '',
  seq: 0,
});
