/**
 * List cursors leave the service signed: `<cursor>.<HMAC-SHA256 of it>`, and a cursor comes back
 * in only with its signature intact. A list's cursor holds store positions (an index key, a
 * status or shard number, a time key), so one made or edited by hand could steer a request's
 * reads; signed, a caller can only hand back positions the service itself gave out. The key is
 * derived from the deployment's secrets (the admin token and registration key, the same in every
 * container), or drawn at random for a process that has neither.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type { AuthSecrets } from '#app/auth';
import { invalidCursor } from '#core/cursor';
import type { HttpContext, HttpEvent, HttpResult, HttpRuntime } from './request';
import type { RouteDefinition } from './routes';

/** Signature length in base64url characters (128 bits). */
const SIGNATURE_CHARS = 22;

/** Signs and opens list cursors with one key. */
export interface CursorSigner {
  /** The cursor as it is handed out. */
  sign(cursor: string): string;
  /**
   * The cursor a signed one holds.
   * @throws ValidationError `/cursor` when the signature is missing or does not match
   */
  open(signed: string): string;
}

/** A signer with this key. */
export const cursorSigner = (key: Buffer): CursorSigner => {
  const signatureOf = (cursor: string): Buffer =>
    Buffer.from(createHmac('sha256', key).update(cursor).digest('base64url').slice(0, SIGNATURE_CHARS));
  return {
    sign: (cursor) => `${cursor}.${signatureOf(cursor).toString()}`,
    open: (signed) => {
      const dot = signed.lastIndexOf('.');
      const cursor = signed.slice(0, dot);
      const presented = Buffer.from(signed.slice(dot + 1));
      const expected = signatureOf(cursor);
      if (dot < 1 || presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
        throw invalidCursor();
      }
      return cursor;
    },
  };
};

/** The key of a process without secrets: its cursors work only within it. */
const processKey = randomBytes(32);
const signers = new WeakMap<AuthSecrets, CursorSigner>();

/** The signer of a deployment with these secrets (see the module comment). */
export const signerFor = (secrets: AuthSecrets): CursorSigner => {
  let signer = signers.get(secrets);
  if (!signer) {
    const { adminToken, registrationKey } = secrets;
    const key =
      adminToken === undefined && registrationKey === undefined
        ? processKey
        : createHmac('sha256', 'coord list cursors')
            .update(JSON.stringify([adminToken ?? null, registrationKey ?? null]))
            .digest();
    signer = cursorSigner(key);
    signers.set(secrets, signer);
  }
  return signer;
};

const NEXT_CURSOR = '"nextCursor"';

/** The chain step that opens the `cursor` query parameter and signs an answer's `nextCursor`. */
export const signedCursors = (
  route: RouteDefinition,
  runtime: HttpRuntime,
): MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> => {
  const takesCursor =
    (route.query as { properties?: Record<string, unknown> } | undefined)?.properties?.cursor !== undefined;
  return {
    before: async (request) => {
      const cursor = request.event.queryStringParameters?.cursor;
      if (!takesCursor || cursor === undefined) return;
      const signer = signerFor(await runtime.authSecrets());
      request.event.queryStringParameters = {
        ...request.event.queryStringParameters,
        cursor: signer.open(cursor),
      };
    },
    after: async (request) => {
      const body = request.response?.body;
      if (!takesCursor || typeof body !== 'string' || !body.includes(NEXT_CURSOR)) return;
      const parsed = JSON.parse(body) as { nextCursor?: unknown };
      if (typeof parsed.nextCursor !== 'string') return;
      const signer = signerFor(await runtime.authSecrets());
      request.response = {
        ...request.response,
        body: JSON.stringify({ ...parsed, nextCursor: signer.sign(parsed.nextCursor) }),
      };
    },
  };
};
