import type { Static } from '@sinclair/typebox';
import { Type } from '#app/schemas/type';
import { ReportedStatus, RetireMode } from '#core/agents/status';
import {
  AgentStatusSchema,
  Capability,
  Closed,
  literalUnion,
  Metadata,
  NewAgentId,
  PageQuery,
  TeamName,
} from './common';

/** `POST /v1/agents`. */
export const RegisterAgentBody = Closed({
  id: NewAgentId,
  team: TeamName,
  capabilities: Type.Optional(Type.Array(Capability, { maxItems: 50, uniqueItems: true })),
  capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 1 })),
  heartbeatIntervalSec: Type.Optional(Type.Integer({ minimum: 5, maximum: 3600, default: 30 })),
  metadata: Type.Optional(Metadata),
});
export type RegisterAgentBody = Static<typeof RegisterAgentBody>;

/** `PATCH /v1/agents/{id}`. */
export const UpdateAgentBody = Closed({
  capabilities: Type.Optional(Type.Array(Capability, { maxItems: 50, uniqueItems: true })),
  capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  heartbeatIntervalSec: Type.Optional(Type.Integer({ minimum: 5, maximum: 3600 })),
  metadata: Type.Optional(Metadata),
});
export type UpdateAgentBody = Static<typeof UpdateAgentBody>;

/** `POST /v1/agents/{id}/heartbeat`. */
export const HeartbeatBody = Closed({
  status: Type.Optional(literalUnion(Object.values(ReportedStatus))),
});
export type HeartbeatBody = Static<typeof HeartbeatBody>;

/** `POST /v1/agents/{id}/retire`. */
export const RetireAgentBody = Closed({
  mode: literalUnion(Object.values(RetireMode)),
});
export type RetireAgentBody = Static<typeof RetireAgentBody>;

/** `GET /v1/agents`. */
export const ListAgentsQuery = Closed({
  team: Type.Optional(TeamName),
  status: Type.Optional(AgentStatusSchema),
  ...PageQuery,
});
export type ListAgentsQuery = Static<typeof ListAgentsQuery>;

/** `POST /v1/agents/{id}/token`: no fields; an empty body or `{}`. */
export const IssueAgentTokenBody = Closed({}, { description: 'No fields: send no body, or `{}`.' });
export type IssueAgentTokenBody = Static<typeof IssueAgentTokenBody>;
