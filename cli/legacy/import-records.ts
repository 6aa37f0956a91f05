/**
 * The records `POST /v1/import` takes and the reply it gives (API.md "Import"). The record
 * shapes are the registration and creation bodies plus the state an import carries over.
 */
import type { RegisterAgentBody } from '#app/schemas/agents';
import type { CreateWorkBody } from '#app/schemas/work';

/** An agent as imported: the registration body plus its status and times. */
export type ImportAgent = RegisterAgentBody & {
  status: string;
  createdAt: string;
  lastHeartbeatAt: string;
};

/** A work item as imported: the creation body plus its id, state and times. */
export type ImportWork = CreateWorkBody & {
  id: string;
  status: string;
  progress: number;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
  result?: string | Record<string, unknown>;
  claim?: { agentId: string; claimedAt: string };
};

/** A history entry, kept as an audit event with its original time. */
export interface ImportEvent {
  at: string;
  actorId?: string;
  action: string;
  entityType: 'work' | 'agent';
  entityId: string;
  details?: Record<string, unknown>;
}

/** The three record kinds, named as the import body names them. */
export const IMPORT_KINDS = ['agents', 'work', 'events'] as const;

/** One record kind of an import. */
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** Body of one `POST /v1/import` call. */
export interface ImportBody {
  agents?: ImportAgent[];
  work?: ImportWork[];
  events?: ImportEvent[];
}

/** Counts per kind, as the reply gives them. */
export type KindCounts = Record<ImportKind, number>;

/** Reply of `POST /v1/import`. */
export interface ImportReply {
  created: KindCounts;
  unchanged: KindCounts;
  conflicts: { kind: string; id: string; reason: string }[];
  rejected: { kind: string; index: number; id?: string; reason: string }[];
}

/** Largest number of records in one call. */
export const IMPORT_MAX_RECORDS = 500;

/** Largest body of one call, in bytes. */
export const IMPORT_MAX_BYTES = 1024 * 1024;

/**
 * The reply names kinds as the body does (`agents`, `work`, `events`); the singular forms are
 * accepted too, so a reply that uses entity names still maps back to the records sent.
 */
export const toImportKind = (kind: string): ImportKind | undefined => {
  const normalized = kind === 'agent' ? 'agents' : kind === 'event' ? 'events' : kind;
  return (IMPORT_KINDS as readonly string[]).includes(normalized) ? (normalized as ImportKind) : undefined;
};
