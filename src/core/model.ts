import type { AgentStatus, ReportedStatus, RetireMode } from './agents/status';
import type { ActorType } from './roles';
import type { Priority, WorkStatus } from './work/status';

/** Free-form JSON object carried for callers (metadata, results). */
export type JsonObject = { [key: string]: unknown };

/**
 * The claim an agent holds on a work item. `token` fences every later write: a write that
 * names another token is stale. The holder fields are a liveness snapshot refreshed by claims,
 * progress and heartbeats, so a conflict can name the holder and its liveness without a second read.
 */
export interface WorkClaim {
  readonly agentId: string;
  readonly token: string;
  readonly claimedAt: string;
  readonly leaseExpiresAt: string;
  readonly holderLastHeartbeatAt: string;
  readonly holderHeartbeatIntervalSec: number;
}

/** Why and how a work item last failed. */
export interface WorkFailure {
  readonly reason: string;
  readonly retryable: boolean;
  readonly at: string;
  readonly agentId: string;
}

/** Who created or changed something. */
export interface Actor {
  readonly type: ActorType;
  readonly id: string;
}

/** A unit of work as the domain sees it (the API view hides `claim.token` and internals). */
export interface WorkItem {
  readonly id: string;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly team: string;
  readonly priority: Priority;
  readonly businessValue: number;
  readonly deadline?: string;
  readonly requiredCapabilities: readonly string[];
  /** File globs the item will touch (stored form, see `work/paths`); absent when none were declared. */
  readonly paths?: readonly string[];
  /** Every dependency named at creation. */
  readonly dependsOn: readonly string[];
  /** Dependencies not yet completed; the item is `blocked` while this is non-empty. */
  readonly remainingDeps: readonly string[];
  /** Items that named this one in `dependsOn`; unblocked when this one completes. */
  readonly dependents: readonly string[];
  readonly estimateMinutes?: number;
  readonly maxAttempts: number;
  /** Claims that ended without completion through fail or lease expiry. */
  readonly attempts: number;
  readonly status: WorkStatus;
  readonly progress: number;
  /** Urgency when the item was last written; the ready index is ordered by it. */
  readonly urgency: number;
  /** When the item last became `ready`; aging counts from here. */
  readonly readyAt?: string;
  /**
   * When the sweeper should look at this item next: its stored urgency has drifted (aging,
   * deadline pressure) or its deadline passed unescalated. Set only while `ready` or `blocked`,
   * and absent once nothing about it changes with time (see `work/sweep`).
   */
  readonly reviewAt?: string;
  /** When the sweeper asked for this item's `deadline` escalation (once per item). */
  readonly deadlineEscalatedAt?: string;
  readonly claim?: WorkClaim;
  readonly lastNote?: string;
  readonly result?: JsonObject | string;
  readonly failure?: WorkFailure;
  readonly cancelReason?: string;
  readonly createdBy: Actor;
  readonly metadata?: JsonObject;
  /** Increases by one on every write; writes are conditional on the version they read. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly completedAt?: string;
}

/** A retirement in progress or done. */
export interface Retirement {
  readonly mode: RetireMode;
  readonly requestedAt: string;
  readonly retiredAt?: string;
}

/** Running counts that feed an agent's health score. */
export interface AgentStats {
  readonly claims: number;
  readonly completed: number;
  readonly failed: number;
  readonly leaseExpiries: number;
  /** Sum over completed items that had an estimate: actual minutes / estimated minutes. */
  readonly speedRatioSum: number;
  readonly speedSamples: number;
}

/** A registered agent. `status` is never stored: it is derived (see agents/liveness). */
export interface Agent {
  readonly id: string;
  readonly team: string;
  readonly capabilities: readonly string[];
  readonly capacity: number;
  readonly heartbeatIntervalSec: number;
  readonly metadata?: JsonObject;
  /** How many items the agent holds now; never above `capacity`. */
  readonly activeClaims: number;
  readonly lastHeartbeatAt: string;
  readonly reportedStatus?: ReportedStatus;
  /**
   * When the sweeper announced this agent offline (an `agent.status` event); a heartbeat after
   * this time means it came back, so a later silence is announced again.
   */
  readonly offlineSince?: string;
  readonly retirement?: Retirement;
  /** Id of the agent's current token; issuing a new one deletes the old token record. */
  readonly tokenId?: string;
  /** Registered with a team-limited registration token: claims, creates and is assigned work only in `team`. */
  readonly limitedToTeam?: true;
  readonly stats: AgentStats;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** An agent with its derived status and health, as reads present it. */
export interface AgentView
  extends Omit<Agent, 'tokenId' | 'stats' | 'retirement' | 'offlineSince' | 'limitedToTeam'> {
  readonly status: AgentStatus;
  readonly health: { readonly score: number; readonly reasons: readonly string[] };
  readonly retirement?: Retirement;
}

/** Kinds of entity the audit log records. */
export const EntityType = {
  Work: 'work',
  Agent: 'agent',
  Token: 'token',
  Config: 'config',
  Escalation: 'escalation',
  Webhook: 'webhook',
  Message: 'message',
} as const;

/** An audited entity kind. */
export type EntityType = (typeof EntityType)[keyof typeof EntityType];

/**
 * One audit entry. Written in the same transaction as the change it records; `seq` is the
 * entity's version after the change, so it increases per entity and clients de-duplicate by it.
 */
export interface AuditEvent {
  readonly id: string;
  readonly seq: number;
  readonly at: string;
  readonly actor: Actor;
  readonly action: string;
  readonly entityType: EntityType;
  readonly entityId: string;
  /** The agent this event concerns besides the actor (the holder, the registered agent). */
  readonly agentId?: string;
  readonly team?: string;
  readonly before?: JsonObject;
  readonly after?: JsonObject;
  readonly requestId?: string;
}
