/**
 * The shapes the dashboard reads from the public API (API.md). Written here rather than
 * imported: the page depends on the published contract, never on the server's code.
 */

/** `member`: a person on a team, who may also answer on items' threads. */
export type Role = 'admin' | 'member' | 'viewer';

export const AGENT_STATUSES = ['active', 'idle', 'offline', 'retiring', 'retired'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export const WORK_STATUSES = [
  'blocked',
  'ready',
  'claimed',
  'in_progress',
  'completed',
  'failed',
  'escalated',
  'cancelled',
] as const;
export type WorkStatus = (typeof WORK_STATUSES)[number];

export const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface Agent {
  readonly id: string;
  readonly team: string;
  readonly capabilities: readonly string[];
  readonly capacity: number;
  readonly heartbeatIntervalSec: number;
  readonly activeClaims: number;
  readonly lastHeartbeatAt: string;
  readonly status: AgentStatus;
  readonly health: { readonly score: number; readonly reasons: readonly string[] };
  readonly createdAt: string;
}

export interface WorkItem {
  readonly id: string;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly team: string;
  readonly priority: Priority;
  readonly businessValue: number;
  readonly deadline?: string;
  readonly dependsOn: readonly string[];
  readonly blockedBy: readonly string[];
  readonly status: WorkStatus;
  readonly progress: number;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly urgency: number;
  readonly claim?: { readonly agentId: string; readonly claimedAt: string; readonly leaseExpiresAt: string };
  readonly lastNote?: string;
  readonly failure?: { readonly reason: string; readonly retryable: boolean; readonly at: string };
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly completedAt?: string;
  readonly paths?: readonly string[];
  /** Only with `GET /v1/work/{id}?flags=1`. */
  readonly flags?: readonly InFlightFlag[];
}

/** What an item has against one item in flight of its team. */
export type InFlightFlag =
  | {
      readonly kind: 'paths_overlap';
      readonly workId: string;
      readonly agentId: string;
      readonly paths: readonly string[];
    }
  | {
      readonly kind: 'similar_title';
      readonly workId: string;
      readonly agentId: string;
      readonly similarity: number;
    };

export interface TeamSummary {
  readonly team: string;
  readonly agents: Readonly<Record<string, number>>;
  readonly work: Readonly<Record<string, number>>;
  readonly forecast: { readonly etaMinutes: number | null; readonly atRisk: readonly unknown[] };
}

export interface AuditEvent {
  readonly id: string;
  readonly seq: number;
  readonly at: string;
  readonly actor: { readonly type: string; readonly id: string };
  readonly action: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly before?: Readonly<Record<string, unknown>>;
  readonly after?: Readonly<Record<string, unknown>>;
}

export interface Escalation {
  readonly id: string;
  readonly workId: string;
  readonly team: string;
  readonly kind: string;
  readonly status: 'open' | 'resolved';
  readonly openedAt: string;
  readonly resolvedAt?: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface Settings {
  readonly leaseSeconds: number;
  readonly heartbeatTimeoutMultiple: number;
  readonly defaultMaxAttempts: number;
  readonly urgencyWeights: {
    readonly priority: Readonly<Record<Priority, number>>;
    readonly deadlineMax: number;
    readonly deadlineHorizonHours: number;
    readonly agingMax: number;
    readonly agingMinutesPerPoint: number;
  };
}

/** `GET /v1/metrics/summary` (API.md "Additions"). */
export interface MetricsSummary {
  readonly window: string;
  readonly from: string;
  readonly to: string;
  readonly throughput: { readonly claims: number; readonly completions: number; readonly failures: number };
  readonly latencyMs: {
    readonly p50: number | null;
    readonly p95: number | null;
    readonly p99: number | null;
  };
  readonly conflicts: number;
  readonly queueDepth: Readonly<Record<string, number>>;
  readonly series: readonly {
    readonly at: string;
    readonly claims: number;
    readonly completions: number;
    readonly conflicts: number;
    readonly p50: number | null;
  }[];
}

/** A server message on the WebSocket (API.md "WebSocket"). */
export interface ServerMessage {
  readonly type: string;
  readonly seq?: number;
  readonly at: string;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly cursor?: string;
}

/** A message on a work item's thread, or in an agent's inbox (its body is plain text, never markup). */
export interface ThreadMessage {
  readonly id: string;
  readonly at: string;
  readonly from: { readonly type: string; readonly id: string };
  readonly body: string;
  readonly mentions: readonly string[];
  readonly workId?: string;
  readonly to?: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

/** One round of an invariant check (`GET /v1/invariants`). */
export interface InvariantRound {
  readonly startedAt: string;
  readonly checkedAt: string;
  readonly checked: number;
  readonly violations: number;
  readonly examples: readonly { readonly entityId: string; readonly detail: string }[];
}

/** An invariant with its last results. */
export interface Invariant {
  readonly name: string;
  readonly description: string;
  readonly status: 'ok' | 'violated' | 'unchecked';
  readonly lastRound?: InvariantRound;
  readonly currentRound?: InvariantRound;
  readonly lastRepair?: { readonly at: string; readonly repaired: number; readonly by: string };
}
