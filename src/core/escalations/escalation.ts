import type { Actor, JsonObject } from '../model';

/** Why a work item needs a person (API.md "Clarifications"); the only place these literals are spelled. */
export const EscalationKind = {
  /** `attempts` reached `maxAttempts` through fail or lease expiry: the item is `escalated`. */
  RetriesExhausted: 'retries_exhausted',
  /** The deadline passed while the item was `ready` or `blocked` (once per item). */
  Deadline: 'deadline',
  /** A dependency ended `failed` or `cancelled`: the item stays `blocked`. */
  DependencyFailed: 'dependency_failed',
  /**
   * A critical finding of the health assessment (once per finding). Its `workId` is the item the
   * finding is about, or else the finding's id; it is resolved by a person, never by the sweeper.
   */
  AiAlert: 'ai_alert',
  /**
   * A webhook failed so many deliveries in a row that it was paused. Its `workId` is the webhook's
   * id; it is resolved by a person (resuming the webhook does not resolve it), never by the sweeper.
   */
  WebhookPaused: 'webhook_paused',
} as const;

/** An escalation kind. */
export type EscalationKind = (typeof EscalationKind)[keyof typeof EscalationKind];

/** All escalation kinds. */
export const ESCALATION_KINDS: readonly EscalationKind[] = Object.values(EscalationKind);

/** Whether an escalation still waits for someone. */
export const EscalationStatus = { Open: 'open', Resolved: 'resolved' } as const;

/** An escalation status. */
export type EscalationStatus = (typeof EscalationStatus)[keyof typeof EscalationStatus];

/** All escalation statuses, open first. */
export const ESCALATION_STATUSES: readonly EscalationStatus[] = Object.values(EscalationStatus);

/** Who resolved an escalation, and why. */
export interface EscalationResolution {
  readonly by: Actor;
  readonly note?: string;
}

/**
 * A work item that needs a person. At most one escalation of a kind is open per item; a
 * `deadline` one opens at most once per item. Resolving never changes the item.
 */
export interface Escalation {
  /** `<workId>~<kind>~<number>` (see {@link escalationId}). */
  readonly id: string;
  readonly workId: string;
  readonly team: string;
  readonly kind: EscalationKind;
  /** 1 for the item's first escalation of this kind, then 2, ... */
  readonly number: number;
  readonly status: EscalationStatus;
  readonly openedAt: string;
  readonly resolvedAt?: string;
  /** Facts at the time it opened (attempts, the deadline, the dependency that failed). */
  readonly details: JsonObject;
  readonly resolution?: EscalationResolution;
  /** Increases by one on every write; writes are conditional on it. */
  readonly version: number;
}

/**
 * What a use case or the sweeper asks the escalations consumer to record. The consumer decides
 * again from the stored item, so a late or repeated request records nothing wrong.
 */
export interface EscalationRequest {
  readonly workId: string;
  readonly kind: EscalationKind;
  /** When the decision was made. */
  readonly at: string;
  /** What the decider knew (e.g. `{ cause: 'lease_expired' }`, the failed dependency). */
  readonly details?: JsonObject;
  /** The request that caused it, recorded on the audit event. */
  readonly requestId?: string;
}

// `~` never occurs in a work id (their pattern forbids it), so the id splits back unambiguously.
const SEPARATOR = '~';

/** The id of the `number`-th escalation of `kind` for a work item. */
export const escalationId = (workId: string, kind: EscalationKind, number: number): string =>
  [workId, kind, number].join(SEPARATOR);

/** The work item, kind and number an escalation id names; `undefined` when it names none. */
export const parseEscalationId = (
  id: string,
): { workId: string; kind: EscalationKind; number: number } | undefined => {
  const parts = id.split(SEPARATOR);
  if (parts.length !== 3) return undefined;
  const [workId, kind, digits] = parts as [string, string, string];
  const number = Number(digits);
  if (workId === '' || !/^[1-9][0-9]{0,8}$/.test(digits)) return undefined;
  if (!(ESCALATION_KINDS as readonly string[]).includes(kind)) return undefined;
  return { workId, kind: kind as EscalationKind, number };
};
