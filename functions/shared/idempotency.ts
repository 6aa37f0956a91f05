/**
 * `Idempotency-Key` on every POST: the first answer below 500 is stored for 24 h and replayed to
 * a repeat with the same key and body; another body under the same key, or a repeat while the
 * first still runs, gets 409 `idempotency_conflict`. Keys are scoped to the caller, the method
 * and the path, so two callers never see each other's answers.
 */
import { createHash } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import { IdempotencyConflictError, ValidationError } from '#core/errors';
import type { IdempotencyRecord } from '#core/ports';
import { logger } from './observability';
import {
  type HttpContext,
  type HttpEvent,
  type HttpRequest,
  type HttpResult,
  type HttpRuntime,
  headerOf,
  stateOf,
} from './request';

/** The request header carrying the key. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** The answer header marking a replay. */
export const REPLAYED_HEADER = 'idempotent-replayed';
/** How long answers are kept. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/**
 * How long a reservation holds its key before the answer is stored: longer than any invocation
 * (API Gateway gives up after 29 s), so a request that died mid-way (a crashed container) frees
 * its key for a retry soon instead of answering `idempotency_conflict` for a day.
 */
export const RESERVATION_SECONDS = 120;
const MAX_KEY_LENGTH = 128;

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('base64url');

/** JSON with object keys sorted, so the same body always has the same fingerprint. */
const canonical = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
};

const keyOf = (event: HttpEvent): string | undefined => {
  const key = headerOf(event, IDEMPOTENCY_HEADER);
  if (key === undefined) return undefined;
  if (key.length < 1 || key.length > MAX_KEY_LENGTH) {
    throw new ValidationError([
      { path: '', message: `the Idempotency-Key header must be 1..${MAX_KEY_LENGTH} characters` },
    ]);
  }
  return key;
};

const replayOf = (record: IdempotencyRecord): HttpResult => ({
  statusCode: record.statusCode ?? 200,
  headers: { [REPLAYED_HEADER]: 'true' },
  ...(record.body ? { body: record.body } : {}),
});

/**
 * Store calls after the answer is decided are best effort: the use case has already run, so a
 * failure to record its answer must not turn that answer into an error. It is logged; the key
 * then stays reserved until it expires.
 */
const bestEffort = async (work: Promise<void>, what: string, scope: string): Promise<void> =>
  work.catch((error: unknown) => logger.warn(`Idempotency ${what} failed`, { error, scope }));

/** The idempotency step of the chain (after validation, before the error mapper). */
export const idempotency = (
  runtime: HttpRuntime,
): MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> => {
  const settle = async (request: HttpRequest): Promise<void> => {
    const state = stateOf(request);
    const scope = state.idempotencyScope;
    if (scope === undefined) return;
    state.idempotencyScope = undefined;
    const store = runtime.ports().idempotency;
    const statusCode = request.response?.statusCode ?? 500;
    if (statusCode >= 500) return bestEffort(store.release(scope), 'release', scope);
    const keptUntil = Math.floor(runtime.ports().clock.now().getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS;
    return bestEffort(
      store.complete(scope, statusCode, request.response?.body ?? '', keptUntil),
      'complete',
      scope,
    );
  };

  return {
    before: async (request) => {
      const { event } = request;
      const state = stateOf(request);
      if (event.requestContext.http.method !== 'POST' || !state.principal) return;
      const key = keyOf(event);
      if (key === undefined) return;
      const ports = runtime.ports();
      const scope = sha256([state.principal.id, 'POST', event.rawPath, key].join('\n'));
      const fingerprint = sha256(canonical(state.body ?? null));
      const reservedUntil = Math.floor(ports.clock.now().getTime() / 1000) + RESERVATION_SECONDS;
      const stored = await ports.idempotency.reserve(scope, fingerprint, reservedUntil);
      if (!stored) {
        state.idempotencyScope = scope;
        return;
      }
      if (stored.fingerprint !== fingerprint) {
        throw new IdempotencyConflictError('This Idempotency-Key was used for a request with another body.');
      }
      if (stored.state !== 'done') {
        throw new IdempotencyConflictError('A request with this Idempotency-Key is still running.');
      }
      state.replay = replayOf(stored);
    },
    after: settle,
    onError: settle,
  };
};
