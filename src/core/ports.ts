import type { AgentStatus } from './agents/status';
import type { Escalation, EscalationRequest, EscalationStatus } from './escalations/escalation';
import type { Message, MessagePlace, MessageStore } from './messages';
import type { Agent, AuditEvent, WorkItem } from './model';
import type { Role } from './roles';
import type { Webhook } from './webhooks/webhook';
import type { WorkStatus } from './work/status';

/** The current time. Injected so the domain never reads the system clock. */
export interface Clock {
  now(): Date;
}

/** Fresh identifiers and secrets. Injected so the domain never calls a random source. */
export interface IdGenerator {
  /** A new work item id, e.g. `wi_01J...` (sortable by creation time). */
  workId(): string;
  /** A new audit event id. */
  eventId(): string;
  /** A new message id, e.g. `msg_01J...` (sortable by creation time). */
  messageId(): string;
  /** A new issued-token id (the public half of a bearer token). */
  tokenId(): string;
  /** A new unguessable secret (claim tokens, bearer token secrets): at least 128 bits, URL-safe. */
  secret(): string;
}

/** Uniform randomness in [0, 1), for spreading contention. */
export interface Random {
  next(): number;
}

/** One-way hash for bearer secrets, so the store never holds a usable token. */
export interface SecretHasher {
  hash(secret: string): string;
  /** Constant-time comparison of a secret against a stored hash. */
  matches(secret: string, hash: string): boolean;
}

/** A page of a list plus the opaque cursor of the next one (absent on the last page). */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

/** Paging arguments every list takes. */
export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string;
}

/** Filters of `GET /v1/work`. */
export interface WorkQuery extends PageRequest {
  readonly team?: string;
  readonly status?: WorkStatus;
  /** Items currently claimed by this agent. */
  readonly agentId?: string;
}

/** Filters of `GET /v1/agents` (status is derived, so it is filtered after reading). */
export interface AgentQuery extends PageRequest {
  readonly team?: string;
}

/** Filters of `GET /v1/audit`. */
export interface AuditQuery extends PageRequest {
  readonly entityId?: string;
  readonly actorId?: string;
  /** Events whose actor or subject agent is this agent. */
  readonly agentId?: string;
  readonly since?: string;
  readonly until?: string;
}

/** An issued bearer token (the secret itself is never stored). */
export interface TokenRecord {
  readonly id: string;
  readonly secretHash: string;
  readonly role: Role;
  /** For agent tokens: the agent it acts as. */
  readonly agentId?: string;
  /** For team-limited tokens; an agent token names its agent's team. */
  readonly team?: string;
  /** For agent tokens: the agent works only in `team` (it was registered with a team-limited token). */
  readonly limitedToTeam?: true;
  readonly label?: string;
  readonly createdAt: string;
  /** When the token stops working (ISO 8601); never when absent. */
  readonly expiresAt?: string;
  /**
   * When the token last authenticated a request (ISO 8601), to within
   * {@link LAST_USE_INTERVAL_SECONDS}; absent until its first use.
   */
  readonly lastUsedAt?: string;
}

/** How stale a token's `lastUsedAt` may be before a request records a new one (one write per interval). */
export const LAST_USE_INTERVAL_SECONDS = 300;

/** Persisted runtime settings (`GET`/`PUT /v1/config`); absent fields fall back to deployment config. */
export interface StoredSettings {
  readonly settings: Record<string, unknown>;
  readonly version: number;
}

/** Write a whole work item, if its stored version is still `expectedVersion` (`null`: must not exist). */
export interface WorkPut {
  readonly kind: 'work';
  readonly item: WorkItem;
  readonly expectedVersion: number | null;
}

/** Write a whole agent, if its stored version is still `expectedVersion` (`null`: must not exist). */
export interface AgentPut {
  readonly kind: 'agent';
  readonly agent: Agent;
  readonly expectedVersion: number | null;
}

/**
 * Change an agent's `activeClaims` by `delta` without reading it first (and bump its version).
 * With `delta > 0` it applies only while `activeClaims + delta <= capacity` and the agent is not
 * retiring; with `delta < 0` only while the result stays >= 0.
 */
export interface AgentClaimsAdjust {
  readonly kind: 'agentClaims';
  readonly agentId: string;
  readonly delta: number;
  /** Also set `lastHeartbeatAt` to this time (a claim counts as a heartbeat). */
  readonly heartbeatAt?: string;
  /**
   * Applies only while the agent's `lastHeartbeatAt` is at or before this time (a lease expiry:
   * the holder must have stayed silent since the lease ran out).
   */
  readonly silentSince?: string;
  /**
   * Applies only while the agent has no retirement: a change that frees a claim learns from its
   * own write, without reading the agent, that it cannot have ended a `drain` retirement.
   */
  readonly unlessRetiring?: boolean;
  /** Also add these to the agent's stats counters (e.g. `{ completed: 1 }`). */
  readonly stats?: Partial<
    Record<'claims' | 'completed' | 'failed' | 'leaseExpiries' | 'speedRatioSum' | 'speedSamples', number>
  >;
}

/**
 * Write the lease a claim already has through its holder's heartbeats onto the item (and its
 * leases-index key), while `token` is still its claim and the written lease is shorter. Not a
 * change of the item: its version stays, so no holder write loses a race to it, and no event.
 */
export interface WorkLeaseCatchUp {
  readonly kind: 'workLease';
  readonly workId: string;
  readonly token: string;
  readonly leaseExpiresAt: string;
  readonly holderLastHeartbeatAt: string;
}

/** Store a new token (must not exist). */
export interface TokenPut {
  readonly kind: 'tokenPut';
  readonly token: TokenRecord;
}

/** Remove a token (a no-op if it is already gone). */
export interface TokenDelete {
  readonly kind: 'tokenDelete';
  readonly tokenId: string;
}

/** Replace the runtime settings, if their version is still `expectedVersion` (`null`: none stored yet). */
export interface SettingsPut {
  readonly kind: 'settings';
  readonly settings: Record<string, unknown>;
  readonly version: number;
  readonly expectedVersion: number | null;
}

/** Write a whole escalation, if its stored version is still `expectedVersion` (`null`: must not exist). */
export interface EscalationPut {
  readonly kind: 'escalation';
  readonly escalation: Escalation;
  readonly expectedVersion: number | null;
}

/** Write a whole webhook, if its stored version is still `expectedVersion` (`null`: must not exist). */
export interface WebhookPut {
  readonly kind: 'webhook';
  readonly webhook: Webhook;
  readonly expectedVersion: number | null;
}

/** Remove a webhook, if its stored version is still `expectedVersion`. */
export interface WebhookDelete {
  readonly kind: 'webhookDelete';
  readonly webhookId: string;
  readonly expectedVersion: number;
}

/** Store a new message row in its thread or an inbox (must not exist). */
export interface MessagePut {
  readonly kind: 'message';
  readonly message: Message;
  readonly place: MessagePlace;
  /** When the row expires (ISO 8601): `messageRetentionDays` after it was posted. */
  readonly expiresAt: string;
}

/** One conditional write inside a change. */
export type Write =
  | WorkPut
  | WorkLeaseCatchUp
  | AgentPut
  | AgentClaimsAdjust
  | TokenPut
  | TokenDelete
  | SettingsPut
  | EscalationPut
  | WebhookPut
  | WebhookDelete
  | MessagePut;

/** Writes applied all-or-nothing, together with the audit events that record them. */
export interface Change {
  readonly writes: readonly Write[];
  /** Appended in the same transaction; each `(entityId, seq)` is written at most once. */
  readonly events: readonly AuditEvent[];
}

/** A write of a change whose condition failed, with what is stored now (read from the failed write itself). */
export type FailedWrite =
  | { readonly kind: 'work'; readonly id: string; readonly current?: WorkItem }
  | { readonly kind: 'workLease'; readonly id: string }
  | { readonly kind: 'agent'; readonly id: string; readonly current?: Agent }
  | { readonly kind: 'agentClaims'; readonly id: string; readonly current?: Agent }
  | { readonly kind: 'tokenPut'; readonly id: string }
  | { readonly kind: 'settings'; readonly current?: StoredSettings }
  | { readonly kind: 'escalation'; readonly id: string; readonly current?: Escalation }
  | { readonly kind: 'event'; readonly id: string }
  | { readonly kind: 'webhook'; readonly id: string; readonly current?: Webhook }
  | { readonly kind: 'message'; readonly id: string };

/**
 * A change was refused because a condition failed; nothing was written. Use cases re-decide
 * from `failed[].current` (no second read) or translate it into a domain error.
 */
export class WriteConflict extends Error {
  readonly failed: readonly FailedWrite[];
  constructor(failed: readonly FailedWrite[]) {
    super(`Conditional write failed: ${failed.map((f) => f.kind).join(', ')}`);
    this.name = 'WriteConflict';
    this.failed = failed;
  }
}

/** Reads of work items. */
export interface WorkRepository {
  get(id: string): Promise<WorkItem | undefined>;
  /**
   * The copy of the item this process last wrote or read, when it kept one (no store call). It
   * may be stale: decide from it only what a write conditioned on its `version` then checks, and
   * read the item for any answer that writes nothing.
   */
  recent(id: string): WorkItem | undefined;
  /** The items that exist among `ids` (missing ones are left out), in any order. */
  getMany(ids: readonly string[]): Promise<WorkItem[]>;
  list(query: WorkQuery): Promise<Page<WorkItem>>;
  /**
   * The most urgent `ready` items of the given teams (stored urgency descending, then
   * `createdAt` ascending), at most `limit` in all, read from the ready index (never a scan).
   */
  readyCandidates(teams: readonly string[], limit: number): Promise<WorkItem[]>;
  /** Claimed items whose lease expired before `before`, from the leases index (never a scan). */
  expiredLeases(before: string, limit: number): Promise<WorkItem[]>;
  /**
   * Ready or blocked items whose `reviewAt` is at or before `before`, earliest first, from the
   * review index (never a scan): the sweeper recomputes their urgency and checks their deadline.
   */
  dueForReview(before: string, limit: number): Promise<WorkItem[]>;
  /** How many items of `team` are in each status (a Query with `Select: COUNT` per status, never a scan). */
  countByStatus(team: string): Promise<Record<WorkStatus, number>>;
  /**
   * How many items each team has in each status, every team at once: one keys-only read of each
   * status partition (never a scan, never a query per team). Teams without items are left out.
   */
  countAllByStatus(): Promise<Record<string, Record<WorkStatus, number>>>;
}

/** The set of known team names (a team exists once an agent or a work item names it). */
export interface TeamRepository {
  /** One page of team names in name order (bounded store work: one page of one index). */
  list(page: PageRequest): Promise<Page<string>>;
  /** Records `team` if it is new (idempotent; called before the change that first names it). */
  ensure(team: string): Promise<void>;
  /**
   * Moves up to `limit` names out of the registry earlier versions kept in one item, each to a
   * team of its own; the number moved (0 once that item is gone).
   */
  moveLegacy(limit: number): Promise<number>;
}

/** Reads of agents. */
export interface AgentRepository {
  get(id: string): Promise<Agent | undefined>;
  list(query: AgentQuery): Promise<Page<Agent>>;
}

/**
 * Where an audit event sits in the log's time order: its instant, then its identity (so two
 * events of one millisecond still have an order). A live message's cursor carries it.
 */
export interface EventPosition {
  readonly at: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly seq: number;
}

/** Reads of the audit log. */
export interface AuditLog {
  /** Newest first. */
  list(query: AuditQuery): Promise<Page<AuditEvent>>;
  /**
   * Events strictly after `position` and at or before `until` (an instant), oldest first, at most
   * `limit` (a replay of what a client missed; the day index, never a scan).
   */
  after(position: EventPosition, until: string, limit: number): Promise<AuditEvent[]>;
}

/** Filters of `GET /v1/escalations`. */
export interface EscalationQuery extends PageRequest {
  readonly status?: EscalationStatus;
  readonly team?: string;
}

/** Reads of escalations. */
export interface EscalationRepository {
  get(id: string): Promise<Escalation | undefined>;
  /** Every escalation of a work item (any kind and status), read consistently. */
  ofWork(workId: string): Promise<Escalation[]>;
  /** Open ones first, then resolved ones; newest first within each (an index per filter, never a scan). */
  list(query: EscalationQuery): Promise<Page<Escalation>>;
}

/** Hands escalation requests to their consumer (the `escalations` queue), which records them. */
export interface EscalationPublisher {
  /** @throws UnavailableError when the queue does not take the requests. */
  publish(requests: readonly EscalationRequest[]): Promise<void>;
}

/** Reads of issued tokens. */
export interface TokenRepository {
  /** Issued tokens, oldest first. */
  list(page: PageRequest): Promise<Page<TokenRecord>>;
  get(id: string): Promise<TokenRecord | undefined>;
  /**
   * Records that token `id` authenticated a request at `at`, unless its stored `lastUsedAt` is
   * already within {@link LAST_USE_INTERVAL_SECONDS} of it (so at most one write per interval).
   * A store without it records no use.
   */
  recordUse?(id: string, at: Date): Promise<void>;
}

/** Reads of the persisted runtime settings. */
export interface SettingsRepository {
  get(): Promise<StoredSettings | undefined>;
}

/** Applies changes atomically. */
export interface UnitOfWork {
  /** @throws WriteConflict when any condition fails (nothing is written). */
  commit(change: Change): Promise<void>;
}

/** Whether the store answers; `GET /v1/health` reports it. */
export interface StoreProbe {
  ping(): Promise<void>;
}

/** A stored answer to a POST made with an Idempotency-Key. */
export interface IdempotencyRecord {
  readonly state: 'in_progress' | 'done';
  /** Hash of the request body, to tell a replay from a reuse of the key. */
  readonly fingerprint: string;
  readonly statusCode?: number;
  readonly body?: string;
}

/** Remembers answers to keyed POSTs for 24 h. */
export interface IdempotencyStore {
  /**
   * Reserves `key` until `expiresAtEpochSeconds` (kept short, so a request that died without an
   * answer frees its key soon); returns `undefined` when it was free, else what is stored under it.
   */
  reserve(
    key: string,
    fingerprint: string,
    expiresAtEpochSeconds: number,
  ): Promise<IdempotencyRecord | undefined>;
  /** Stores the answer of a reserved key, kept until `expiresAtEpochSeconds`. */
  complete(key: string, statusCode: number, body: string, expiresAtEpochSeconds: number): Promise<void>;
  /** Frees a reserved key whose request failed with a 5xx, so a retry runs again. */
  release(key: string): Promise<void>;
}

/** Every port, for composing use case dependencies with `Pick<Ports, ...>`. */
export interface Ports {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly random: Random;
  readonly hasher: SecretHasher;
  readonly work: WorkRepository;
  readonly agents: AgentRepository;
  readonly teams: TeamRepository;
  readonly audit: AuditLog;
  readonly tokens: TokenRepository;
  readonly settings: SettingsRepository;
  readonly uow: UnitOfWork;
  readonly probe: StoreProbe;
  readonly idempotency: IdempotencyStore;
  readonly escalations: EscalationRepository;
  readonly escalationPublisher: EscalationPublisher;
  readonly messages: MessageStore;
}

/** Statuses an agent list can be filtered by (derived, see agents/liveness). */
export type AgentStatusFilter = AgentStatus;
