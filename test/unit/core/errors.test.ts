import { describe, expect, it } from 'vitest';
import {
  AgentExistsError,
  AgentRetiringError,
  AlreadyClaimedError,
  CapacityExceededError,
  DomainError,
  ForbiddenError,
  IdempotencyConflictError,
  InvalidStateError,
  MissingCapabilitiesError,
  NotClaimableError,
  NotFoundError,
  PathsInUseError,
  RateLimitedError,
  StaleClaimError,
  TransientError,
  UnauthorizedError,
  UnavailableError,
  UnknownDependencyError,
  ValidationError,
} from '#core/errors';

const holder = {
  agentId: 'agent-b',
  status: 'active',
  lastHeartbeatAt: '2026-01-01T00:00:00.000Z',
  leaseExpiresAt: '2026-01-01T00:05:00.000Z',
};

/** What the API sends as `error` for a domain error: its code, message and details. */
const reply = (error: DomainError) => ({ code: error.code, message: error.message, details: error.details });

describe('domain errors', () => {
  it.each<[string, DomainError, ReturnType<typeof reply>]>([
    [
      'validation_error with its field errors and the default message',
      new ValidationError([{ path: '/title', message: 'is required' }]),
      {
        code: 'validation_error',
        message: 'The request is not valid.',
        details: { errors: [{ path: '/title', message: 'is required' }] },
      },
    ],
    [
      'unknown_dependency naming every missing id',
      new UnknownDependencyError(['w-1', 'w-2']),
      {
        code: 'unknown_dependency',
        message: 'Unknown dependencies: w-1, w-2.',
        details: { missing: ['w-1', 'w-2'] },
      },
    ],
    [
      'unauthorized with the default message and no details',
      new UnauthorizedError(),
      { code: 'unauthorized', message: 'A valid bearer token is required.', details: {} },
    ],
    [
      'forbidden with the default message and no details',
      new ForbiddenError(),
      { code: 'forbidden', message: 'This token may not do that.', details: {} },
    ],
    [
      'forbidden with its own message and details',
      new ForbiddenError('Only admins may do that.', { role: 'agent' }),
      { code: 'forbidden', message: 'Only admins may do that.', details: { role: 'agent' } },
    ],
    [
      'not_found naming the entity and its id',
      new NotFoundError('work item', 'w-9'),
      {
        code: 'not_found',
        message: 'No work item with id w-9.',
        details: { entity: 'work item', id: 'w-9' },
      },
    ],
    [
      'already_claimed with the holder',
      new AlreadyClaimedError('w-1', holder),
      {
        code: 'already_claimed',
        message: 'Work item w-1 is already claimed by agent-b.',
        details: { holder },
      },
    ],
    [
      'not_claimable with the status',
      new NotClaimableError('w-1', 'done'),
      {
        code: 'not_claimable',
        message: 'Work item w-1 is done and cannot be claimed.',
        details: { status: 'done' },
      },
    ],
    [
      'stale_claim with the holder when there is one',
      new StaleClaimError('w-1', 'claimed', holder),
      {
        code: 'stale_claim',
        message: 'The claim token is not current for work item w-1.',
        details: { status: 'claimed', holder },
      },
    ],
    [
      'capacity_exceeded with the capacity',
      new CapacityExceededError('agent-a', 3),
      {
        code: 'capacity_exceeded',
        message: 'Agent agent-a already holds 3 item(s), its capacity.',
        details: { capacity: 3 },
      },
    ],
    [
      'missing_capabilities naming every missing one',
      new MissingCapabilitiesError(['go', 'sql']),
      {
        code: 'missing_capabilities',
        message: 'The agent lacks required capabilities: go, sql.',
        details: { missing: ['go', 'sql'] },
      },
    ],
    [
      'agent_retiring for an agent still retiring by default',
      new AgentRetiringError('agent-a'),
      { code: 'agent_retiring', message: 'Agent agent-a is retiring and takes no new work.', details: {} },
    ],
    [
      'agent_retiring for an agent whose retirement has finished',
      new AgentRetiringError('agent-a', true),
      { code: 'agent_retiring', message: 'Agent agent-a is retired and takes no new work.', details: {} },
    ],
    [
      'agent_exists naming the agent',
      new AgentExistsError('agent-a'),
      {
        code: 'agent_exists',
        message: 'Agent agent-a is already registered.',
        details: { agentId: 'agent-a' },
      },
    ],
    [
      'idempotency_conflict with the default message',
      new IdempotencyConflictError(),
      {
        code: 'idempotency_conflict',
        message: 'This Idempotency-Key was used for a different request, or that request is still running.',
        details: {},
      },
    ],
    [
      'paths_in_use with the holder, its item and the overlapping pair',
      new PathsInUseError('w-1', { holder: { ...holder, workId: 'w-2' }, paths: ['src/**', 'src/a.ts'] }),
      {
        code: 'paths_in_use',
        message: 'Work item w-1 touches src/**, which overlaps src/a.ts of work item w-2 held by agent-b.',
        details: { holder: { ...holder, workId: 'w-2' }, paths: ['src/**', 'src/a.ts'] },
      },
    ],
    [
      'invalid_state with the status',
      new InvalidStateError('Only a blocked item can be unblocked.', 'ready'),
      {
        code: 'invalid_state',
        message: 'Only a blocked item can be unblocked.',
        details: { status: 'ready' },
      },
    ],
  ])('answers %s', (_name, error, expected) => {
    expect(reply(error)).toStrictEqual(expected);
    expect(error).toBeInstanceOf(DomainError);
    expect(error.name).toBe(error.constructor.name);
  });

  it('keeps no holder key in a stale_claim without a holder', () => {
    const error = new StaleClaimError('w-1', 'ready');

    expect(error.details).toStrictEqual({ status: 'ready' });
  });
});

describe('transient errors', () => {
  it('answers rate_limited with the delay to wait and no details', () => {
    const error = new RateLimitedError(7);

    expect(error).toBeInstanceOf(TransientError);
    expect(error).not.toBeInstanceOf(DomainError);
    expect({ code: error.code, message: error.message, details: error.details }).toStrictEqual({
      code: 'rate_limited',
      message: 'Too many requests.',
      details: {},
    });
    expect(error.retryAfterSeconds).toBe(7);
    expect(error.name).toBe('RateLimitedError');
  });

  it('answers unavailable with the default message, a one-second wait and no details', () => {
    const error = new UnavailableError();

    expect({ code: error.code, message: error.message, details: error.details }).toStrictEqual({
      code: 'unavailable',
      message: 'The service is temporarily unavailable.',
      details: {},
    });
    expect(error.retryAfterSeconds).toBe(1);
  });

  it('keeps the given wait, details and cause', () => {
    const cause = new Error('throttled');
    const error = new TransientError('unavailable', 'Store throttled.', {
      cause,
      retryAfterSeconds: 5,
      details: { table: 'work' },
    });

    expect(error.retryAfterSeconds).toBe(5);
    expect(error.details).toStrictEqual({ table: 'work' });
    expect(error.cause).toBe(cause);
  });
});
