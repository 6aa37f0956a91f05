/**
 * What every adapter means by a transient AWS failure: one worth retrying later (throttling,
 * timeouts, 5xx, network errors), as opposed to one a retry will not fix (a malformed request,
 * a missing table or queue, a denied permission). The DynamoDB, SQS and Secrets Manager
 * adapters all turn the first kind into `UnavailableError`.
 */

/** SDK error names that mean "busy or briefly unavailable, try again", across the services we call. */
const TRANSIENT_NAMES = new Set([
  // any service
  'ThrottlingException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
  // DynamoDB
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransactionInProgressException',
  // SQS (throttling that carries no 5xx status)
  'RequestThrottled',
  'KmsThrottled',
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

/** The fields of an AWS SDK v3 error (or a Node network error) that tell its kind. */
export interface AwsErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $fault?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

/** The error's kind-telling fields; an empty shape for anything that is not an object. */
export const awsErrorShape = (error: unknown): AwsErrorShape =>
  typeof error === 'object' && error !== null ? (error as AwsErrorShape) : {};

/** The SDK error's name, when it has one. */
export const awsErrorName = (error: unknown): string | undefined => {
  const { name } = awsErrorShape(error);
  return typeof name === 'string' ? name : undefined;
};

/**
 * Whether an SDK error is worth retrying later: a throttling or timeout name, a network error
 * code, a 5xx status, a server fault, or one the SDK itself marks retryable.
 */
export const isTransientAwsError = (error: unknown): boolean => {
  const { code, $fault, $retryable, $metadata } = awsErrorShape(error);
  const name = awsErrorName(error);
  if (name !== undefined && TRANSIENT_NAMES.has(name)) return true;
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
  const status = $metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  return $fault === 'server' || (typeof $retryable === 'object' && $retryable !== null);
};
