/**
 * What the API answers, as TypeBox schemas (OpenAPI response bodies) with their `Static` types.
 * Presenters (`src/app/presenters.ts`) build these shapes from domain records; claim tokens and
 * token ids never appear here except in the claim reply and the once-shown bearer tokens.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { Type } from '#app/schemas/type';
import { AGENT_STATUSES, ReportedStatus, RetireMode } from '#core/agents/status';
import { ActorType, Role } from '#core/roles';
import { WORK_STATUSES } from '#core/work/status';
import {
  AgentId,
  AgentStatusSchema,
  Closed,
  JsonObject,
  literalUnion,
  PathsPolicySchema,
  PrioritySchema,
  TeamName,
  Timestamp,
  WorkStatusSchema,
} from './common';

/** A list page: `nextCursor` is absent on the last page. */
export const PageOf = <T extends TSchema>(item: T, options: { description?: string } = {}) =>
  Closed({ items: Type.Array(item), nextCursor: Type.Optional(Type.String()) }, options);

/** Who created or changed something. */
export const ActorView = Closed({
  type: literalUnion(Object.values(ActorType)),
  id: Type.String(),
});
export type ActorView = Static<typeof ActorView>;

/** A claim as observers see it (never the token). */
export const ClaimSummary = Closed({
  agentId: AgentId,
  claimedAt: Timestamp,
  leaseExpiresAt: Timestamp,
});
export type ClaimSummary = Static<typeof ClaimSummary>;

/** Why a work item last failed. */
export const FailureView = Closed({
  reason: Type.String(),
  retryable: Type.Boolean(),
  at: Timestamp,
  agentId: AgentId,
});
export type FailureView = Static<typeof FailureView>;

/** What an item has against one item in flight of its team (`GET /v1/work/{id}?flags=1`, recommendations). */
export const InFlightFlagView = Type.Union([
  Closed({
    kind: Type.Literal('paths_overlap'),
    workId: Type.String(),
    agentId: Type.String(),
    paths: Type.Array(Type.String(), { minItems: 2, maxItems: 2 }),
  }),
  Closed({
    kind: Type.Literal('similar_title'),
    workId: Type.String(),
    agentId: Type.String(),
    similarity: Type.Number({ minimum: 0, maximum: 1 }),
  }),
]);
export type InFlightFlagView = Static<typeof InFlightFlagView>;

/** A work item (API.md "Work item lifecycle"); `urgency` is computed at the time of the answer. */
export const WorkView = Closed(
  {
    id: Type.String(),
    type: Type.String(),
    title: Type.String(),
    description: Type.Optional(Type.String()),
    team: TeamName,
    priority: PrioritySchema,
    businessValue: Type.Number(),
    deadline: Type.Optional(Timestamp),
    requiredCapabilities: Type.Array(Type.String()),
    paths: Type.Optional(Type.Array(Type.String())),
    dependsOn: Type.Array(Type.String()),
    blockedBy: Type.Array(Type.String(), { description: 'Dependencies not completed yet.' }),
    estimateMinutes: Type.Optional(Type.Number()),
    maxAttempts: Type.Integer(),
    attempts: Type.Integer(),
    status: WorkStatusSchema,
    progress: Type.Number({ minimum: 0, maximum: 100 }),
    urgency: Type.Number(),
    claim: Type.Optional(ClaimSummary),
    lastNote: Type.Optional(Type.String()),
    result: Type.Optional(Type.Union([Type.String(), JsonObject])),
    failure: Type.Optional(FailureView),
    cancelReason: Type.Optional(Type.String()),
    createdBy: ActorView,
    metadata: Type.Optional(JsonObject),
    version: Type.Integer(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    completedAt: Type.Optional(Timestamp),
    flags: Type.Optional(
      Type.Array(InFlightFlagView, {
        description:
          'Only with `GET /v1/work/{id}?flags=1`: overlapping paths and near-duplicate titles among the items in flight of its team.',
      }),
    ),
  },
  { description: 'A work item.' },
);
export type WorkView = Static<typeof WorkView>;

/** The agent holding an item, as conflicts and overlaps name it (with its liveness). */
export const HolderView = Closed({
  agentId: AgentId,
  status: Type.String({ description: '`active`, or `offline` past the heartbeat timeout.' }),
  lastHeartbeatAt: Timestamp,
  leaseExpiresAt: Timestamp,
});
export type HolderView = Static<typeof HolderView>;

/** The claim reply: the item and the claim token (shown only here and in `assignment` events). */
export const ClaimView = Closed({
  item: WorkView,
  claim: Closed({ token: Type.String(), leaseExpiresAt: Timestamp }),
  overlaps: Type.Optional(
    Type.Array(
      Closed({
        holder: Closed({ ...HolderView.properties, workId: Type.String() }),
        paths: Type.Array(Type.String(), { minItems: 2, maxItems: 2 }),
      }),
      {
        description:
          'Under the `warn` paths policy: items in flight in the team whose paths overlap this one, each with its holder and a glob of this item, then the one it overlaps.',
      },
    ),
  ),
});
export type ClaimView = Static<typeof ClaimView>;

/** An agent with derived status, health and active claims (never its token id). */
export const AgentViewSchema = Closed(
  {
    id: AgentId,
    team: TeamName,
    capabilities: Type.Array(Type.String()),
    capacity: Type.Integer(),
    heartbeatIntervalSec: Type.Integer(),
    metadata: Type.Optional(JsonObject),
    activeClaims: Type.Integer(),
    lastHeartbeatAt: Timestamp,
    reportedStatus: Type.Optional(literalUnion(Object.values(ReportedStatus))),
    retirement: Type.Optional(
      Closed({
        mode: literalUnion(Object.values(RetireMode)),
        requestedAt: Timestamp,
        retiredAt: Type.Optional(Timestamp),
      }),
    ),
    status: AgentStatusSchema,
    health: Closed({ score: Type.Number({ minimum: 0, maximum: 100 }), reasons: Type.Array(Type.String()) }),
    version: Type.Integer(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { description: 'An agent.' },
);
export type AgentViewSchema = Static<typeof AgentViewSchema>;

/** `POST /v1/agents` reply: the agent and its bearer token (shown once). */
export const RegisterAgentResult = Closed({ agent: AgentViewSchema, token: Type.String() });
export type RegisterAgentResult = Static<typeof RegisterAgentResult>;

/** `POST /v1/agents/{id}/token` reply: the new agent token (shown once). */
export const AgentTokenIssued = Closed({ token: Type.String() });
export type AgentTokenIssued = Static<typeof AgentTokenIssued>;

/** `POST /v1/tokens` reply (the token is shown once). */
export const TokenIssued = Closed({
  id: Type.String(),
  token: Type.String(),
  role: literalUnion([Role.Viewer, Role.Admin, Role.Registration, Role.Member]),
  team: Type.Optional(TeamName),
  expiresAt: Type.Optional(Timestamp),
});
export type TokenIssued = Static<typeof TokenIssued>;

/** An audit entry (API.md "Read shapes"). */
export const AuditEventView = Closed({
  id: Type.String(),
  seq: Type.Integer(),
  at: Timestamp,
  actor: ActorView,
  action: Type.String(),
  entityType: Type.String(),
  entityId: Type.String(),
  before: Type.Optional(JsonObject),
  after: Type.Optional(JsonObject),
  requestId: Type.Optional(Type.String()),
  /** Where this event sits: `after` of `GET /v1/events` and WebSocket `subscribe` resumes after it. */
  cursor: Type.Optional(Type.String()),
});
export type AuditEventView = Static<typeof AuditEventView>;

const countsOf = (keys: readonly string[]) =>
  Closed(Object.fromEntries(keys.map((key) => [key, Type.Integer({ minimum: 0 })])));

/** An item likely to miss its deadline. */
export const AtRiskView = Closed({ workId: Type.String(), deadline: Timestamp, reason: Type.String() });
export type AtRiskView = Static<typeof AtRiskView>;

/** One team in `GET /v1/teams`. */
export const TeamSummary = Closed({
  team: TeamName,
  agents: countsOf(AGENT_STATUSES),
  work: countsOf(WORK_STATUSES),
  forecast: Closed({
    etaMinutes: Type.Union([Type.Number(), Type.Null()], {
      description: 'Minutes until the open backlog is done at current capacity; null when no agent can work.',
    }),
    atRisk: Type.Array(AtRiskView),
  }),
});
export type TeamSummary = Static<typeof TeamSummary>;

/** The whole runtime configuration, in the shape `PUT /v1/config` takes. */
export const SettingsView = Closed({
  leaseSeconds: Type.Integer(),
  heartbeatTimeoutMultiple: Type.Number(),
  defaultMaxAttempts: Type.Integer(),
  urgencyWeights: Closed({
    priority: Closed({
      critical: Type.Number(),
      high: Type.Number(),
      medium: Type.Number(),
      low: Type.Number(),
    }),
    deadlineMax: Type.Number(),
    deadlineHorizonHours: Type.Number(),
    agingMax: Type.Number(),
    agingMinutesPerPoint: Type.Number(),
  }),
  ai: Closed({
    enabled: Type.Boolean(),
    model: Type.String(),
    maxRequestsPerMinute: Type.Integer(),
    maxTokens: Type.Integer(),
    timeoutMs: Type.Integer(),
    maxRetries: Type.Integer(),
    dailyTokenBudget: Type.Integer(),
    assessmentIntervalMinutes: Type.Integer(),
  }),
  pathOverlap: Type.Record(Type.String(), PathsPolicySchema, {
    description: 'The paths policy per team, and for every other team under `*`.',
  }),
  eventReplayHours: Type.Integer(),
  messageRetentionDays: Type.Integer(),
  github: Closed({
    team: Type.Optional(Type.String()),
    labels: Type.Array(Type.String()),
    priorityLabels: Type.Record(Type.String(), PrioritySchema),
    type: Type.String(),
    capabilities: Type.Array(Type.String()),
  }),
});
export type SettingsView = Static<typeof SettingsView>;

/** `GET /v1/health`: overall status, the service version and each dependency's check. */
export const HealthView = Closed({
  status: literalUnion(['ok', 'unavailable']),
  version: Type.String(),
  checks: Type.Record(
    Type.String(),
    Closed({ status: literalUnion(['ok', 'unavailable']), message: Type.Optional(Type.String()) }),
  ),
});
export type HealthView = Static<typeof HealthView>;

/** List replies. */
export const WorkPage = PageOf(WorkView);
export type WorkPage = Static<typeof WorkPage>;
export const AgentPage = PageOf(AgentViewSchema);
export type AgentPage = Static<typeof AgentPage>;
export const AuditPage = PageOf(AuditEventView);
export type AuditPage = Static<typeof AuditPage>;
/** An issued token as `GET /v1/tokens` lists it: never its secret or hash. */
export const TokenView = Closed({
  id: Type.String(),
  role: literalUnion([Role.Viewer, Role.Admin, Role.Registration, Role.Agent, Role.Member]),
  agentId: Type.Optional(Type.String()),
  team: Type.Optional(TeamName),
  label: Type.Optional(Type.String()),
  createdAt: Timestamp,
  expiresAt: Type.Optional(Timestamp),
  /** When the token last authenticated a request, to within five minutes; absent until its first use. */
  lastUsedAt: Type.Optional(Timestamp),
});
export type TokenView = Static<typeof TokenView>;
export const TokenPage = PageOf(TokenView);
export type TokenPage = Static<typeof TokenPage>;
export const TeamPage = PageOf(TeamSummary);
export type TeamPage = Static<typeof TeamPage>;
