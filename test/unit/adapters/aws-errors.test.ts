import { describe, expect, it } from 'vitest';
import { awsErrorName, isTransientAwsError } from '#adapters/aws-errors';

const sdkError = (name: string, status: number, fault: 'client' | 'server', extra: object = {}) =>
  Object.assign(new Error(name), { name, $fault: fault, $metadata: { httpStatusCode: status }, ...extra });

describe('isTransientAwsError', () => {
  it.each([
    ['DynamoDB throttling', sdkError('ProvisionedThroughputExceededException', 400, 'client')],
    ['DynamoDB request limit', sdkError('RequestLimitExceeded', 400, 'client')],
    ['a transaction in progress', sdkError('TransactionInProgressException', 400, 'client')],
    ['SQS throttling', sdkError('RequestThrottled', 403, 'client')],
    ['SQS KMS throttling', sdkError('KmsThrottled', 400, 'client')],
    ['any service throttling', sdkError('ThrottlingException', 400, 'client')],
    ['a 5xx answer', sdkError('InternalError', 503, 'client')],
    ['a server fault', sdkError('Whatever', 400, 'server')],
    ['an error the SDK marks retryable', sdkError('Odd', 400, 'client', { $retryable: {} })],
    ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('counts %s as transient', (_what, error) => {
    expect(isTransientAwsError(error)).toBe(true);
  });

  it.each([
    ['a failed condition', sdkError('ConditionalCheckFailedException', 400, 'client')],
    ['a missing table', sdkError('ResourceNotFoundException', 400, 'client')],
    ['a missing queue', sdkError('QueueDoesNotExist', 400, 'client')],
    ['a denied permission', sdkError('AccessDeniedException', 403, 'client')],
    ['a validation failure', sdkError('ValidationException', 400, 'client')],
    ['a 4xx without a name', { $metadata: { httpStatusCode: 499 } }],
    ['an unrelated Node error code', Object.assign(new Error('no file'), { code: 'ENOENT' })],
    ['a plain Error', new Error('bug')],
    ['a string', 'ThrottlingException'],
    ['null', null],
  ])('does not count %s as transient', (_what, error) => {
    expect(isTransientAwsError(error)).toBe(false);
  });
});

describe('awsErrorName', () => {
  it('gives the name of an error and nothing for what has none', () => {
    expect(awsErrorName(sdkError('QueueDoesNotExist', 400, 'client'))).toBe('QueueDoesNotExist');
    expect(awsErrorName({ name: 7 })).toBeUndefined();
    expect(awsErrorName(undefined)).toBeUndefined();
  });
});
