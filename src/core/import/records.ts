/**
 * What `POST /v1/import` carries (API.md "Import"): records kept from elsewhere, each with its
 * own id, state and times. The request schemas check their shape; the rules in this folder
 * decide what each one becomes.
 */
import type { AgentStatus } from '../agents/status';
import type { JsonObject } from '../model';
import type { NewWork } from '../work/create';
import { WorkStatus } from '../work/status';

/** The record kinds, named as the import body and its reply name them. */
export const ImportKind = { Agents: 'agents', Work: 'work', Events: 'events' } as const;

/** One record kind of an import. */
export type ImportKind = (typeof ImportKind)[keyof typeof ImportKind];

/** All record kinds, in the order an import applies them (agents before the claims naming them). */
export const IMPORT_KINDS: readonly ImportKind[] = Object.values(ImportKind);

/** An agent as imported: the registration fields plus, optionally, its status and times. */
export interface AgentRecord {
  readonly id: string;
  readonly team: string;
  readonly capabilities?: readonly string[];
  readonly capacity?: number;
  readonly heartbeatIntervalSec?: number;
  readonly metadata?: JsonObject;
  /** Kept only when `retired`; any other status is derived as usual from `lastHeartbeatAt`. */
  readonly status?: AgentStatus;
  /** @default the import time */
  readonly createdAt?: string;
  /** @default `createdAt` */
  readonly lastHeartbeatAt?: string;
}

/** An agent record with its defaults filled in. */
export type FullAgentRecord = AgentRecord & Required<Pick<AgentRecord, 'createdAt' | 'lastHeartbeatAt'>>;

/** The record with API.md's defaults: created at `now`, last heard of when created. */
export const withAgentDefaults = (record: AgentRecord, now: string): FullAgentRecord => {
  const createdAt = record.createdAt ?? now;
  return { ...record, createdAt, lastHeartbeatAt: record.lastHeartbeatAt ?? createdAt };
};

/** A work item as imported: the creation fields and its id, plus, optionally, its state and times. */
export interface WorkRecord extends NewWork {
  /** @default `ready` (`blocked` while a dependency is open) */
  readonly status?: WorkStatus;
  /** @default 0 */
  readonly progress?: number;
  /** @default 0 */
  readonly attempts?: number;
  /** @default the import time */
  readonly createdAt?: string;
  /** @default `createdAt` */
  readonly updatedAt?: string;
  readonly completedAt?: string;
  readonly result?: string | JsonObject;
  /** The holder of a claimed or in-progress item. */
  readonly claim?: { readonly agentId: string; readonly claimedAt: string };
}

/** A work record with its defaults filled in. */
export type FullWorkRecord = WorkRecord &
  Required<Pick<WorkRecord, 'status' | 'progress' | 'attempts' | 'createdAt' | 'updatedAt'>>;

/** The record with API.md's defaults: ready, no progress or attempts, created at `now`. */
export const withWorkDefaults = (record: WorkRecord, now: string): FullWorkRecord => {
  const createdAt = record.createdAt ?? now;
  return {
    ...record,
    status: record.status ?? WorkStatus.Ready,
    progress: record.progress ?? 0,
    attempts: record.attempts ?? 0,
    createdAt,
    updatedAt: record.updatedAt ?? createdAt,
  };
};

/** Entity kinds a history record may be about. */
export type HistoryEntityType = 'work' | 'agent';

/** A history entry, kept as an audit event with its original time. */
export interface HistoryRecord {
  readonly at: string;
  /** Who acted, as the source named them; `import` when absent. */
  readonly actorId?: string;
  readonly action: string;
  readonly entityType: HistoryEntityType;
  readonly entityId: string;
  readonly details?: JsonObject;
}
