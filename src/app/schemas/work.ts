import type { Static } from '@sinclair/typebox';
import { Type } from '#app/schemas/type';
import {
  AgentId,
  Capability,
  Closed,
  literalUnion,
  Metadata,
  PageQuery,
  PrioritySchema,
  TeamName,
  Text,
  Timestamp,
  WorkId,
  WorkPaths,
  WorkResult,
  WorkStatusSchema,
} from './common';

/** `POST /v1/work`. */
export const CreateWorkBody = Closed({
  type: Text({ minLength: 1, maxLength: 64 }),
  title: Text({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Text({ maxLength: 10_000 })),
  team: TeamName,
  priority: Type.Optional(PrioritySchema),
  businessValue: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 50 })),
  deadline: Type.Optional(Timestamp),
  requiredCapabilities: Type.Optional(Type.Array(Capability, { maxItems: 20, uniqueItems: true })),
  dependsOn: Type.Optional(Type.Array(WorkId, { maxItems: 50, uniqueItems: true })),
  paths: Type.Optional(WorkPaths),
  estimateMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 525_600 })),
  maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
  metadata: Type.Optional(Metadata),
});
export type CreateWorkBody = Static<typeof CreateWorkBody>;

/** `GET /v1/work`. */
export const ListWorkQuery = Closed({
  team: Type.Optional(TeamName),
  status: Type.Optional(WorkStatusSchema),
  agentId: Type.Optional(AgentId),
  ...PageQuery,
});
export type ListWorkQuery = Static<typeof ListWorkQuery>;

/** `GET /v1/work/{id}`: `flags=1` adds what the item has against the items in flight of its team. */
export const GetWorkQuery = Closed({
  flags: Type.Optional(literalUnion(['0', '1', 'true', 'false'] as const)),
});
export type GetWorkQuery = Static<typeof GetWorkQuery>;

/** `POST /v1/work/{id}/claim`. */
export const ClaimWorkBody = Closed({ agentId: AgentId });
export type ClaimWorkBody = Static<typeof ClaimWorkBody>;

/** `POST /v1/work/claim-next`. */
export const ClaimNextBody = Closed({
  agentId: AgentId,
  teams: Type.Optional(Type.Array(TeamName, { minItems: 1, maxItems: 10, uniqueItems: true })),
  types: Type.Optional(Type.Array(Text({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 20 })),
});
export type ClaimNextBody = Static<typeof ClaimNextBody>;

const ClaimToken = Type.String({ minLength: 1, maxLength: 256 });

/** `POST /v1/work/{id}/progress`. */
export const ProgressBody = Closed({
  claimToken: ClaimToken,
  progress: Type.Number({ minimum: 0, maximum: 100 }),
  note: Type.Optional(Text({ maxLength: 2000 })),
});
export type ProgressBody = Static<typeof ProgressBody>;

/** `POST /v1/work/{id}/complete`. */
export const CompleteBody = Closed({
  claimToken: ClaimToken,
  result: Type.Optional(WorkResult),
});
export type CompleteBody = Static<typeof CompleteBody>;

/** `POST /v1/work/{id}/fail`. */
export const FailBody = Closed({
  claimToken: ClaimToken,
  reason: Text({ minLength: 1, maxLength: 2000 }),
  retryable: Type.Optional(Type.Boolean({ default: true })),
});
export type FailBody = Static<typeof FailBody>;

/** `POST /v1/work/{id}/release`. */
export const ReleaseBody = Closed({ claimToken: ClaimToken });
export type ReleaseBody = Static<typeof ReleaseBody>;

/** `POST /v1/work/{id}/reassign`. */
export const ReassignBody = Closed({ agentId: Type.Optional(AgentId) });
export type ReassignBody = Static<typeof ReassignBody>;

/** `POST /v1/work/{id}/cancel`. */
export const CancelBody = Closed({ reason: Type.Optional(Text({ maxLength: 2000 })) });
export type CancelBody = Static<typeof CancelBody>;

/** `POST /v1/work/{id}/retry`. */
export const RetryBody = Closed({ note: Type.Optional(Text({ maxLength: 2000 })) });
export type RetryBody = Static<typeof RetryBody>;
