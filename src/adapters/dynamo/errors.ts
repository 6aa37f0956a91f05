import { DomainError, UnavailableError, ValidationError } from '#core/errors';
import { WriteConflict } from '#core/ports';

/**
 * The store refused a request for a reason a retry will not fix (a malformed request, a missing
 * table). It carries the SDK error as `cause`; callers answer it as an internal error.
 */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** SDK error names that mean "busy or briefly unavailable, try again". */
const TRANSIENT_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TransactionInProgressException',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
]);

/** Network failures Node reports by code. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'EHOSTUNREACH',
]);

/** Cancellation reason codes of a transaction that mean throttling. */
export const THROTTLED_REASONS = new Set([
  'ProvisionedThroughputExceeded',
  'ThrottlingError',
  'RequestLimitExceeded',
]);

interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

const shapeOf = (error: unknown): SdkErrorShape =>
  typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};

/** Whether an SDK error is worth retrying later (throttling, timeouts, 5xx, network). */
export const isTransient = (error: unknown): boolean => {
  const { name, code, $fault, $metadata } = shapeOf(error);
  if (typeof name === 'string' && TRANSIENT_NAMES.has(name)) return true;
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
  const status = $metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  return $fault === 'server';
};

/** Whether an error is DynamoDB's answer to a failed condition on a single-item write. */
export const isConditionFailure = (error: unknown): boolean =>
  shapeOf(error).name === 'ConditionalCheckFailedException';

/** The error a port throws for an SDK failure: domain errors pass, transient ones become `UnavailableError`. */
export const translateStoreError = (error: unknown, operation: string): Error => {
  if (error instanceof DomainError || error instanceof WriteConflict || error instanceof StoreError)
    return error;
  if (isTransient(error)) {
    return new UnavailableError('The store is busy or unreachable; retry shortly.', { cause: error });
  }
  const { name: errorName, message } = shapeOf(error) as SdkErrorShape & { message?: unknown };
  if (errorName === 'ValidationException' && /item size/i.test(String(message))) {
    // The caller sent more than one stored item holds: its request, not the store, is at fault.
    return new ValidationError([
      { path: '', message: 'is larger than the store keeps in one item (400 KB)' },
    ]);
  }
  const name = shapeOf(error).name;
  return new StoreError(`DynamoDB ${operation} failed${typeof name === 'string' ? ` (${name})` : ''}.`, {
    cause: error,
  });
};

/** Runs one store call and translates whatever it throws, so no SDK error leaves the adapter. */
export const storeCall = async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (error) {
    throw translateStoreError(error, operation);
  }
};
