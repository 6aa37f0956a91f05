/** Every error code the API can answer with (API.md); `functions/shared/errors.ts` maps each to a status. */
export const ERROR_CODES = [
  'validation_error',
  'unknown_dependency',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'already_claimed',
  'not_claimable',
  'stale_claim',
  'capacity_exceeded',
  'missing_capabilities',
  'agent_retiring',
  'agent_exists',
  'idempotency_conflict',
  'invalid_state',
  'paths_in_use',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'unavailable',
  'internal',
] as const;

/** An API error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The codes of failures that pass with time ({@link TransientError}). */
export type TransientCode = Extract<ErrorCode, 'rate_limited' | 'unavailable'>;

/** Structured details of an error, sent as `error.details`. */
export type ErrorDetails = Record<string, unknown>;

/**
 * A failure the caller can act on and a retry would meet again (a conflict, a missing entity, a
 * bad request). Failures that pass with time are {@link TransientError}s instead, so code that
 * reacts to a domain answer (a lost race, a permanent queue message) never mistakes an outage
 * for one.
 */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** One bad field of a request: `path` is a JSON pointer to the field itself (`""` for the whole body). */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** The request's shape or values are wrong. */
export class ValidationError extends DomainError {
  constructor(errors: readonly FieldError[], message = 'The request is not valid.') {
    super('validation_error', message, { errors });
  }
}

/** A `dependsOn` id names no existing item. */
export class UnknownDependencyError extends DomainError {
  constructor(missing: readonly string[]) {
    super('unknown_dependency', `Unknown dependencies: ${missing.join(', ')}.`, { missing });
  }
}

/** No credentials, or credentials that match nothing. */
export class UnauthorizedError extends DomainError {
  constructor(message = 'A valid bearer token is required.') {
    super('unauthorized', message);
  }
}

/** The caller is known but may not do this. */
export class ForbiddenError extends DomainError {
  constructor(message = 'This token may not do that.', details: ErrorDetails = {}) {
    super('forbidden', message, details);
  }
}

/** The named entity does not exist. */
export class NotFoundError extends DomainError {
  constructor(entity: string, id: string) {
    super('not_found', `No ${entity} with id ${id}.`, { entity, id });
  }
}

/** Liveness of the agent holding an item, as conflicts report it. */
export interface HolderInfo {
  readonly agentId: string;
  readonly status: string;
  readonly lastHeartbeatAt: string;
  readonly leaseExpiresAt: string;
}

/** Another agent holds the item. */
export class AlreadyClaimedError extends DomainError {
  constructor(workId: string, holder: HolderInfo) {
    super('already_claimed', `Work item ${workId} is already claimed by ${holder.agentId}.`, { holder });
  }
}

/** The item is in a state that cannot be claimed. */
export class NotClaimableError extends DomainError {
  constructor(workId: string, status: string) {
    super('not_claimable', `Work item ${workId} is ${status} and cannot be claimed.`, { status });
  }
}

/** The claim token is not the item's current one (superseded, released, expired or ended). */
export class StaleClaimError extends DomainError {
  constructor(workId: string, status: string, holder?: HolderInfo) {
    super(
      'stale_claim',
      `The claim token is not current for work item ${workId}.`,
      holder ? { status, holder } : { status },
    );
  }
}

/** The agent already holds as many items as its capacity. */
export class CapacityExceededError extends DomainError {
  constructor(agentId: string, capacity: number) {
    super('capacity_exceeded', `Agent ${agentId} already holds ${capacity} item(s), its capacity.`, {
      capacity,
    });
  }
}

/** The agent lacks capabilities the item requires. */
export class MissingCapabilitiesError extends DomainError {
  constructor(missing: readonly string[]) {
    super('missing_capabilities', `The agent lacks required capabilities: ${missing.join(', ')}.`, {
      missing,
    });
  }
}

/** The agent is retiring or retired and takes no new claims. */
export class AgentRetiringError extends DomainError {
  /** @param isRetired whether the retirement has finished (the message says which). */
  constructor(agentId: string, isRetired = false) {
    super(
      'agent_retiring',
      `Agent ${agentId} is ${isRetired ? 'retired' : 'retiring'} and takes no new work.`,
    );
  }
}

/** An agent with that id is already registered. */
export class AgentExistsError extends DomainError {
  constructor(agentId: string) {
    super('agent_exists', `Agent ${agentId} is already registered.`, { agentId });
  }
}

/** An Idempotency-Key was reused with another body, or while its first request still runs. */
export class IdempotencyConflictError extends DomainError {
  constructor(
    message = 'This Idempotency-Key was used for a different request, or that request is still running.',
  ) {
    super('idempotency_conflict', message);
  }
}

/** What a `paths_in_use` answer names: the holder with its item in flight, and one overlapping pair of globs. */
export interface PathsInUse {
  readonly holder: HolderInfo & { readonly workId: string };
  /** `[a glob of the item asked for, the glob of the item in flight it overlaps]`. */
  readonly paths: readonly [string, string];
}

/** The item declares paths that overlap those of an item in flight in its team, and the team's policy blocks it. */
export class PathsInUseError extends DomainError {
  constructor(workId: string, conflict: PathsInUse) {
    super(
      'paths_in_use',
      `Work item ${workId} touches ${conflict.paths[0]}, which overlaps ${conflict.paths[1]} of work item ${conflict.holder.workId} held by ${conflict.holder.agentId}.`,
      { holder: { ...conflict.holder }, paths: [...conflict.paths] },
    );
  }
}

/** The operation does not apply to the entity's current state. */
export class InvalidStateError extends DomainError {
  constructor(message: string, status: string) {
    super('invalid_state', message, { status });
  }
}

/**
 * A failure that passes with time: the store or a queue throttling or unreachable, or too many
 * requests at once. It is no {@link DomainError}: nothing about the request or the entities is
 * wrong, and the same request later may well succeed. It says how long to wait
 * (`Retry-After`); queue consumers hand the message back for a retry.
 */
export class TransientError extends Error {
  readonly code: TransientCode;
  readonly details: ErrorDetails;
  /** How long the caller should wait before trying again. */
  readonly retryAfterSeconds: number;

  constructor(
    code: TransientCode,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number; details?: ErrorDetails },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = options?.details ?? {};
    this.retryAfterSeconds = options?.retryAfterSeconds ?? 1;
  }
}

/** Too many requests; retry after the given delay. */
export class RateLimitedError extends TransientError {
  constructor(retryAfterSeconds: number, message = 'Too many requests.') {
    super('rate_limited', message, { retryAfterSeconds });
  }
}

/** A dependency (the store, a queue) is unavailable or throttling; transient, retry later. */
export class UnavailableError extends TransientError {
  constructor(
    message = 'The service is temporarily unavailable.',
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super('unavailable', message, options);
  }
}
