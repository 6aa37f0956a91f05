/**
 * The AI endpoints (`/v1/ai/*`): requests, replies, and the shapes the model must answer in
 * (checked before use: a model answer that does not fit falls back to the heuristic).
 */
import type { Static } from '@sinclair/typebox';
import { Type } from '#app/schemas/type';
import { FallbackReason } from '#core/ai/model';
import { AgentId, Closed, literalUnion, TeamName, Timestamp, WorkId } from './common';
import { InFlightFlagView } from './views';

const Source = literalUnion(['claude', 'heuristic'] as const);
const Reason = literalUnion(Object.values(FallbackReason));

/** What every AI reply starts with. */
const Provenance = {
  source: Source,
  fallbackReason: Type.Optional(Reason),
};

/** `POST /v1/ai/recommendations`. */
export const RecommendationsBody = Closed({
  workId: Type.Optional(WorkId),
  agentId: Type.Optional(AgentId),
});
export type RecommendationsBody = Static<typeof RecommendationsBody>;

const Score = Type.Number({ minimum: 0, maximum: 100 });
const ReasonText = Type.String({ minLength: 1, maxLength: 500 });

export const RecommendationView = Closed({
  agentId: Type.String(),
  workId: Type.String(),
  score: Score,
  reason: ReasonText,
  flags: Type.Optional(
    Type.Array(InFlightFlagView, {
      description:
        'What the item has against the items in flight of its team: overlapping paths, near-duplicate titles.',
    }),
  ),
});

export const RecommendationsReply = Closed({
  ...Provenance,
  recommendations: Type.Array(RecommendationView),
});
export type RecommendationsReply = Static<typeof RecommendationsReply>;

/** `POST /v1/ai/query`. Long questions are allowed: `coord claude-pipe` asks about whole files. */
export const QueryBody = Closed({ question: Type.String({ minLength: 1, maxLength: 32_000 }) });
export type QueryBody = Static<typeof QueryBody>;

/** `POST /v1/ai/query?stream=1`: answer as server-sent events. */
export const AskQuery = Closed({ stream: Type.Optional(literalUnion(['0', '1', 'true', 'false'] as const)) });
export type AskQuery = Static<typeof AskQuery>;

export const FactView = Closed({
  tool: Type.String(),
  input: Type.Record(Type.String(), Type.Unknown()),
  summary: Type.String(),
});

export const QueryReply = Closed({ ...Provenance, answer: Type.String(), facts: Type.Array(FactView) });
export type QueryReply = Static<typeof QueryReply>;

const SeveritySchema = literalUnion(['info', 'warning', 'critical'] as const);

export const FindingView = Closed({
  id: Type.String(),
  severity: SeveritySchema,
  subject: Type.String(),
  message: Type.String(),
  team: Type.Optional(Type.String()),
});

/** `GET /v1/ai/health`. */
export const AiHealthReply = Closed({
  ...Provenance,
  status: literalUnion(['healthy', 'degraded', 'critical'] as const),
  summary: Type.Optional(Type.String()),
  findings: Type.Array(FindingView),
  alerts: Type.Array(FindingView),
  assessedAt: Timestamp,
});
export type AiHealthReply = Static<typeof AiHealthReply>;

/** `GET /v1/ai/performance`. */
export const PerformanceQuery = Closed({ window: Type.Optional(literalUnion(['1h', '24h', '7d'] as const)) });
export type PerformanceQuery = Static<typeof PerformanceQuery>;

const Figures = {
  throughput: Type.Integer(),
  previousThroughput: Type.Integer(),
  trendPercent: Type.Union([Type.Number(), Type.Null()]),
  failureRate: Type.Number(),
  leaseExpiryRate: Type.Number(),
  estimateRatio: Type.Union([Type.Number(), Type.Null()]),
};

export const PerformanceReply = Closed({
  ...Provenance,
  window: Type.String(),
  from: Timestamp,
  to: Timestamp,
  agents: Type.Array(Closed({ agentId: Type.String(), team: Type.String(), ...Figures })),
  teams: Type.Array(Closed({ team: TeamName, agents: Type.Integer(), ...Figures })),
  suggestions: Type.Array(Type.String()),
  /** Whether a read stopped at its bound, so counts may be low. */
  partial: Type.Boolean(),
});
export type PerformanceReply = Static<typeof PerformanceReply>;

// What the model must answer with (through a forced tool call).

export const ModelRecommendations = Closed({
  recommendations: Type.Array(
    Closed({ agentId: Type.String(), workId: Type.String(), score: Score, reason: ReasonText }),
    { maxItems: 20 },
  ),
});
export type ModelRecommendations = Static<typeof ModelRecommendations>;

export const ModelAssessment = Closed({
  summary: Type.String({ minLength: 1, maxLength: 2000 }),
  findings: Type.Array(
    Closed({
      id: Type.String({ minLength: 1, maxLength: 200 }),
      severity: SeveritySchema,
      subject: Type.String({ minLength: 1, maxLength: 200 }),
      message: Type.String({ minLength: 1, maxLength: 1000 }),
    }),
    { maxItems: 50 },
  ),
});
export type ModelAssessment = Static<typeof ModelAssessment>;

export const ModelSuggestions = Closed({
  suggestions: Type.Array(Type.String({ minLength: 1, maxLength: 600 }), { minItems: 1, maxItems: 10 }),
});
export type ModelSuggestions = Static<typeof ModelSuggestions>;
