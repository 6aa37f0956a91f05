import { DomainError, TransientError, UnavailableError, ValidationError } from '#core/errors';
import { WriteConflict } from '#core/ports';
import { awsErrorName, isTransientAwsError } from '../aws-errors';

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

/** Cancellation reason codes of a transaction that mean throttling. */
export const THROTTLED_REASONS = new Set([
  'ProvisionedThroughputExceeded',
  'ThrottlingError',
  'RequestLimitExceeded',
]);

/** Whether an error is DynamoDB's answer to a failed condition on a single-item write. */
export const isConditionFailure = (error: unknown): boolean =>
  awsErrorName(error) === 'ConditionalCheckFailedException';

/**
 * The error a port throws for an SDK failure: the service's own errors pass, transient SDK
 * failures become `UnavailableError`, anything else a `StoreError`.
 */
export const translateStoreError = (error: unknown, operation: string): Error => {
  if (
    error instanceof DomainError ||
    error instanceof TransientError ||
    error instanceof WriteConflict ||
    error instanceof StoreError
  )
    return error;
  if (isTransientAwsError(error)) {
    return new UnavailableError('The store is busy or unreachable; retry shortly.', { cause: error });
  }
  const name = awsErrorName(error);
  if (name === 'ValidationException' && /item size/i.test(String((error as { message?: unknown }).message))) {
    // The caller sent more than one stored item holds: its request, not the store, is at fault.
    return new ValidationError([
      { path: '', message: 'is larger than the store keeps in one item (400 KB)' },
    ]);
  }
  return new StoreError(`DynamoDB ${operation} failed${name === undefined ? '' : ` (${name})`}.`, {
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
