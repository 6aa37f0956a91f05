/**
 * `POST /v1/import` (API.md "Import"). The body schema checks only the envelope: each record is
 * checked on its own against its kind's schema, so one bad record is rejected with its reasons
 * while the others are imported.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { Type } from '#app/schemas/type';
import { IMPORT_KINDS } from '#core/import/records';
import { EntityType } from '#core/model';
import { RegisterAgentBody } from './agents';
import {
  AgentId,
  AgentStatusSchema,
  CheckedApart,
  Closed,
  literalUnion,
  Metadata,
  Text,
  Timestamp,
  WorkId,
  WorkResult,
  WorkStatusSchema,
} from './common';
import { CreateWorkBody } from './work';

/** Most records one call may carry, all kinds together. */
export const IMPORT_MAX_RECORDS = 500;

/** Largest body of one call (the one route above 64 KiB). */
export const IMPORT_MAX_BODY_BYTES = 1024 * 1024;

const recordList = (record: TSchema, description: string) =>
  Type.Optional(
    Type.Array(CheckedApart(record, `${description} Checked on its own: a bad record is rejected alone.`), {
      maxItems: IMPORT_MAX_RECORDS,
    }),
  );

/** One agent of an import: the registration fields; status and times are optional. */
export const ImportAgentRecord = Closed(
  {
    ...RegisterAgentBody.properties,
    status: Type.Optional(AgentStatusSchema),
    createdAt: Type.Optional(Timestamp),
    lastHeartbeatAt: Type.Optional(Timestamp),
  },
  {
    description:
      'An agent: the registration fields, plus optional status (kept only when retired), createdAt (default: import time) and lastHeartbeatAt (default: createdAt).',
  },
);
export type ImportAgentRecord = Static<typeof ImportAgentRecord>;

/** One work item of an import: the create fields and an id; state and times are optional. */
export const ImportWorkRecord = Closed(
  {
    ...CreateWorkBody.properties,
    id: WorkId,
    status: Type.Optional(WorkStatusSchema),
    progress: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    attempts: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 })),
    createdAt: Type.Optional(Timestamp),
    updatedAt: Type.Optional(Timestamp),
    completedAt: Type.Optional(Timestamp),
    result: Type.Optional(WorkResult),
    claim: Type.Optional(Closed({ agentId: AgentId, claimedAt: Timestamp })),
  },
  {
    description:
      'A work item: the create fields and id, plus optional status (default ready, or blocked while a dependency is open), progress (0), attempts (0), createdAt (import time), updatedAt (= createdAt), completedAt, result and claim {agentId, claimedAt}.',
  },
);
export type ImportWorkRecord = Static<typeof ImportWorkRecord>;

/** Entity kinds history may be about. */
export const HISTORY_ENTITY_TYPES = [EntityType.Work, EntityType.Agent] as const;

/** One history entry of an import, kept as an audit event with its original time. */
export const ImportEventRecord = Closed(
  {
    at: Timestamp,
    actorId: Type.Optional(Text({ minLength: 1, maxLength: 128 })),
    action: Type.String({ maxLength: 64, pattern: '^[a-z][a-z_]*(\\.[a-z_]+)+$' }),
    entityType: literalUnion(HISTORY_ENTITY_TYPES),
    entityId: WorkId,
    details: Type.Optional(Metadata),
  },
  { description: 'A history entry, kept as an audit event with its original time.' },
);
export type ImportEventRecord = Static<typeof ImportEventRecord>;

/** The body: up to 500 records in all, each checked on its own (see the record schemas). */
export const ImportBody = Closed(
  {
    agents: recordList(ImportAgentRecord, 'An agent (ImportAgentRecord).'),
    work: recordList(ImportWorkRecord, 'A work item (ImportWorkRecord).'),
    events: recordList(ImportEventRecord, 'A history entry (ImportEventRecord).'),
  },
  {
    description: `Records kept from elsewhere, at most ${IMPORT_MAX_RECORDS} per call. Each record is checked on its own: a bad one is listed in rejected and the others are imported.`,
  },
);
export type ImportBody = Static<typeof ImportBody>;

const KindCounts = Closed({
  agents: Type.Integer({ minimum: 0 }),
  work: Type.Integer({ minimum: 0 }),
  events: Type.Integer({ minimum: 0 }),
});

const KindName = literalUnion(IMPORT_KINDS);

/** The reply: counts per kind, and every record that was not imported, with the reason. */
export const ImportResult = Closed({
  created: KindCounts,
  unchanged: KindCounts,
  conflicts: Type.Array(Closed({ kind: KindName, id: Type.String(), reason: Type.String() })),
  rejected: Type.Array(
    Closed({
      kind: KindName,
      index: Type.Integer({ minimum: 0 }),
      id: Type.Optional(Type.String()),
      reason: Type.String(),
    }),
  ),
});
export type ImportResult = Static<typeof ImportResult>;
