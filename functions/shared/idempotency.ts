/**
 * `Idempotency-Key` on every POST: the first answer below 500 is stored for 24 h and replayed to
 * a repeat with the same key and body; another body under the same key, or a repeat while the
 * first still runs, gets 409 `idempotency_conflict`. Keys are scoped to the caller, the method
 * and the path, so two callers never see each other's answers.
 *
 * An answer that carries a secret (an agent, claim or issued token) is not stored as it is: it
 * is sealed with a key derived from the caller's own bearer credential, so the stored record
 * holds nothing usable and only a caller presenting that credential can open it. The built-in
 * admin token and registration key are shared by everyone who holds them, so their answers
 * with secrets are not kept at all: a replay gets 409 `idempotency_conflict` instead of a token
 * meant for someone else.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import { ADMIN_PRINCIPAL_ID, REGISTRATION_PRINCIPAL_ID } from '#app/auth';
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

/** Marks a stored body that is sealed (JSON never starts with it). */
const SEALED = '~sealed:v1:';
/** The stored body of an answer with a secret that was not kept. */
const WITHHELD = '~withheld';

/** Principals whose credential is shared by everyone who holds it. */
const SHARED_PRINCIPALS: ReadonlySet<string> = new Set([ADMIN_PRINCIPAL_ID, REGISTRATION_PRINCIPAL_ID]);

/** Whether a JSON answer holds a bearer or claim token (any `token` string, at any depth). */
export const holdsSecret = (body: string): boolean => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return false;
  }
  const visit = (value: unknown): boolean =>
    Array.isArray(value)
      ? value.some(visit)
      : typeof value === 'object' && value !== null
        ? Object.entries(value).some(
            ([key, inner]) => (key === 'token' && typeof inner === 'string') || visit(inner),
          )
        : false;
  return visit(parsed);
};

/** The sealing key of one scope for one presented credential. */
const sealingKey = (credential: string, scope: string): Buffer =>
  createHmac('sha256', credential).update(`idempotency\n${scope}`).digest();

const seal = (body: string, credential: string, scope: string): string => {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(credential, scope), iv);
  const sealed = Buffer.concat([cipher.update(body, 'utf8'), cipher.final()]);
  return `${SEALED}${[iv, cipher.getAuthTag(), sealed].map((part) => part.toString('base64url')).join('.')}`;
};

/** The body sealed by {@link seal}, or undefined when this credential cannot open it. */
const unseal = (stored: string, credential: string, scope: string): string | undefined => {
  const [iv = '', tag = '', sealed = ''] = stored.slice(SEALED.length).split('.');
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      sealingKey(credential, scope),
      Buffer.from(iv, 'base64url'),
    );
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    return undefined;
  }
};

/** What is stored for an answer: as it is, sealed to the caller, or withheld (see the module comment). */
const storedBodyOf = (body: string, principalId: string, credential: string, scope: string): string => {
  if (!holdsSecret(body)) return body;
  return SHARED_PRINCIPALS.has(principalId) ? WITHHELD : seal(body, credential, scope);
};

/** The bearer credential as presented (authentication has already checked it). */
const credentialOf = (event: HttpEvent): string =>
  (headerOf(event, 'authorization') ?? '').replace(/^Bearer +/i, '').trim();

/** @throws IdempotencyConflictError when the stored answer held a secret this caller may not see again. */
const replayOf = (record: IdempotencyRecord, credential: string, scope: string): HttpResult => {
  let body = record.body;
  if (body === WITHHELD || body?.startsWith(SEALED)) {
    body = body === WITHHELD ? undefined : unseal(body, credential, scope);
    if (body === undefined) {
      throw new IdempotencyConflictError(
        'The answer to this Idempotency-Key held a token, which is shown once; it is not replayed.',
      );
    }
  }
  return {
    statusCode: record.statusCode ?? 200,
    headers: { [REPLAYED_HEADER]: 'true' },
    ...(body ? { body } : {}),
  };
};

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
    if (scope === undefined || !state.principal) return;
    state.idempotencyScope = undefined;
    const store = runtime.ports().idempotency;
    const statusCode = request.response?.statusCode ?? 500;
    if (statusCode >= 500) return bestEffort(store.release(scope), 'release', scope);
    const keptUntil = Math.floor(runtime.ports().clock.now().getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS;
    return bestEffort(
      store.complete(
        scope,
        statusCode,
        storedBodyOf(request.response?.body ?? '', state.principal.id, credentialOf(request.event), scope),
        keptUntil,
      ),
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
      state.replay = replayOf(stored, credentialOf(event), scope);
    },
    after: settle,
    onError: settle,
  };
};
