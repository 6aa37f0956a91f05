import type { Static } from '@sinclair/typebox';
import { Type } from '#app/schemas/type';
import { Role } from '#core/roles';
import {
  Capability,
  Closed,
  literalUnion,
  PageQuery,
  PathsPolicySchema,
  PrioritySchema,
  TeamName,
  Text,
  Timestamp,
} from './common';

/** `POST /v1/tokens`. */
export const IssueTokenBody = Closed({
  role: literalUnion([Role.Viewer, Role.Admin, Role.Registration, Role.Member]),
  team: Type.Optional(TeamName),
  label: Type.Optional(Text({ maxLength: 200 })),
  expiresInDays: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 3650,
      description: 'Days until the token stops working; never when absent.',
    }),
  ),
});
export type IssueTokenBody = Static<typeof IssueTokenBody>;

/** `GET /v1/audit`. */
export const AuditQuery = Closed({
  entityId: Type.Optional(Text({ minLength: 1, maxLength: 128 })),
  actorId: Type.Optional(Text({ minLength: 1, maxLength: 128 })),
  agentId: Type.Optional(Text({ minLength: 1, maxLength: 128 })),
  since: Type.Optional(Timestamp),
  until: Type.Optional(Timestamp),
  ...PageQuery,
});
export type AuditQuery = Static<typeof AuditQuery>;

/**
 * Teams one `GET /v1/teams` call summarises at most: each costs its agent pages, its work counts
 * and its open items, so a larger `limit` answers this many and a `nextCursor`.
 */
export const MAX_TEAMS_PAGE = 20;

/** `GET /v1/teams`: a page answers at most {@link MAX_TEAMS_PAGE} teams, whatever the limit. */
export const TeamsQuery = Closed({
  ...PageQuery,
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 200,
      default: 50,
      description: `Teams per page. Each team is summarised with its own store reads, so a page answers at most ${MAX_TEAMS_PAGE} teams; a larger limit answers ${MAX_TEAMS_PAGE} and a nextCursor.`,
    }),
  ),
});

/** `GET /v1/tokens`. */
export const TokensQuery = Closed({ ...PageQuery });
export type TokensQuery = Static<typeof TokensQuery>;
export type TeamsQuery = Static<typeof TeamsQuery>;

/** A team name (as `TeamName` has it, up to 64 characters) or `*`, every other team. */
const PATH_OVERLAP_KEY = '^(\\*|[A-Za-z0-9][A-Za-z0-9_.-]{0,63})$';

const Weight = Type.Number({ minimum: 0, maximum: 1000 });

/** A GitHub label name (GitHub allows up to 50 characters). */
const GithubLabel = Text({ minLength: 1, maxLength: 50 });

/** The `github` part of `PUT /v1/config`: which issues become work items, and how. */
const GithubSettingsBody = Closed({
  team: Type.Optional(TeamName),
  labels: Type.Optional(
    Type.Array(GithubLabel, {
      maxItems: 20,
      uniqueItems: true,
      description: 'An issue with any of these labels becomes a work item; none: no issue does.',
    }),
  ),
  priorityLabels: Type.Optional(
    Type.Record(Type.String({ minLength: 1, maxLength: 50 }), PrioritySchema, {
      maxProperties: 50,
      additionalProperties: false,
      description:
        'Issue label -> item priority (merged with the defaults P0..P3); the most urgent match wins.',
    }),
  ),
  type: Type.Optional(Text({ minLength: 1, maxLength: 64 })),
  capabilities: Type.Optional(Type.Array(Capability, { maxItems: 20, uniqueItems: true })),
});

/** `PUT /v1/config` (any subset, merged deeply); `GET /v1/config` answers the whole shape. */
export const ConfigBody = Closed({
  leaseSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 86_400 })),
  heartbeatTimeoutMultiple: Type.Optional(Type.Number({ minimum: 2, maximum: 10 })),
  defaultMaxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
  urgencyWeights: Type.Optional(
    Closed({
      priority: Type.Optional(
        Closed({
          critical: Type.Optional(Weight),
          high: Type.Optional(Weight),
          medium: Type.Optional(Weight),
          low: Type.Optional(Weight),
        }),
      ),
      deadlineMax: Type.Optional(Weight),
      deadlineHorizonHours: Type.Optional(Type.Number({ minimum: 1, maximum: 1000 })),
      agingMax: Type.Optional(Weight),
      agingMinutesPerPoint: Type.Optional(Type.Number({ minimum: 1, maximum: 1000 })),
    }),
  ),
  ai: Type.Optional(
    Closed({
      enabled: Type.Optional(Type.Boolean()),
      model: Type.Optional(Text({ minLength: 1, maxLength: 100 })),
      maxRequestsPerMinute: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
      maxTokens: Type.Optional(Type.Integer({ minimum: 64, maximum: 8192 })),
      timeoutMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 120_000 })),
      maxRetries: Type.Optional(Type.Integer({ minimum: 0, maximum: 5 })),
      dailyTokenBudget: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
      assessmentIntervalMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 1440 })),
    }),
  ),
  pathOverlap: Type.Optional(
    Type.Record(Type.String({ pattern: PATH_OVERLAP_KEY }), PathsPolicySchema, {
      maxProperties: 1000,
      additionalProperties: false,
      description:
        'The paths policy (`off`, `warn`, `block`) per team name, or for every other team under `*`.',
    }),
  ),
  eventReplayHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 720 })),
  messageRetentionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  github: Type.Optional(GithubSettingsBody),
});
export type ConfigBody = Static<typeof ConfigBody>;
