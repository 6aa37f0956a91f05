/**
 * Errors -> HTTP answers, once. Every `ErrorCode` has a status here (a new code without one
 * fails `tsc`), and every error body is `{ error: { code, message, details } }`.
 */
import { DomainError, type ErrorCode, type ErrorDetails, TransientError } from '#core/errors';

/** The status of each error code. */
export const STATUS: Record<ErrorCode, number> = {
  validation_error: 400,
  unknown_dependency: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  already_claimed: 409,
  not_claimable: 409,
  stale_claim: 409,
  capacity_exceeded: 409,
  missing_capabilities: 409,
  agent_retiring: 409,
  agent_exists: 409,
  idempotency_conflict: 409,
  invalid_state: 409,
  paths_in_use: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/** The fixed message of a 500: the exception text is never sent. */
export const INTERNAL_MESSAGE = 'Internal server error.';

/** The error body every failed request answers with. */
export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly details: ErrorDetails };
}

/** An error as an HTTP answer (before the chain adds its standard headers). */
export interface ErrorAnswer {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers: Readonly<Record<string, string>>;
  /** Whether the error was unexpected (a bug or an untranslated failure): log it with its stack. */
  readonly unexpected: boolean;
}

/** An error thrown by a middy middleware (`createError` from `@middy/util`). */
interface MiddyHttpError {
  readonly statusCode: number;
  readonly expose?: boolean;
  readonly message: string;
}

const isMiddyHttpError = (error: unknown): error is MiddyHttpError =>
  error instanceof Error &&
  typeof (error as Partial<MiddyHttpError>).statusCode === 'number' &&
  (error as Partial<MiddyHttpError>).expose === true;

/**
 * What middy's own refusals mean in this API. Its JSON parser answers 422 for a malformed
 * body; our contract says 400 `validation_error` with the whole body (`""`) as the bad field.
 */
const fromMiddy = (error: MiddyHttpError): DomainError | undefined => {
  switch (error.statusCode) {
    case 413:
      return new DomainError('payload_too_large', 'The request body is too large.');
    case 415:
      return new DomainError(
        'unsupported_media_type',
        'The request body must be JSON (content-type: application/json).',
      );
    case 422:
    case 400:
      return new DomainError('validation_error', 'The request is not valid.', {
        errors: [{ path: '', message: 'must be valid JSON' }],
      });
    default:
      return undefined;
  }
};

const retryAfter = (error: DomainError | TransientError): Record<string, string> =>
  error instanceof TransientError
    ? { 'retry-after': String(Math.max(1, Math.ceil(error.retryAfterSeconds))) }
    : {};

const answerOf = (error: DomainError | TransientError, unexpected: boolean): ErrorAnswer => {
  const status = STATUS[error.code];
  const headers = status === 429 || status === 503 ? { 'retry-after': '1', ...retryAfter(error) } : {};
  return {
    status,
    body: { error: { code: error.code, message: error.message, details: error.details } },
    headers,
    unexpected,
  };
};

/**
 * The answer to any error: domain and transient errors by their code (transient ones with
 * `Retry-After`), middy refusals translated, anything else 500.
 */
export const errorAnswer = (error: unknown): ErrorAnswer => {
  if (error instanceof TransientError) return answerOf(error, false);
  if (error instanceof DomainError) return answerOf(error, error.code === 'internal');
  const translated = isMiddyHttpError(error) ? fromMiddy(error) : undefined;
  if (translated) return answerOf(translated, false);
  return answerOf(new DomainError('internal', INTERNAL_MESSAGE), true);
};
