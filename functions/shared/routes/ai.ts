/**
 * Advice from Claude, with a heuristic fallback on every route: assignment recommendations,
 * questions about the live state (optionally as server-sent events), health and performance.
 * Advisory only: nothing here claims or changes work. Each route writes the shared AI guard's row
 * (rate limit, breaker, budget), so each is granted read-write.
 */
import { defineRoute, routesById } from '#app/route';
import {
  AiHealthReply,
  AskQuery,
  PerformanceQuery,
  PerformanceReply,
  QueryBody,
  QueryReply,
  RecommendationsBody,
  RecommendationsReply,
} from '#app/schemas/ai';
import { Role } from '#core/roles';

const { Admin, Viewer, Agent } = Role;
/** Claude's calls, with retries, need more than the default 10 s; API Gateway waits 30 s at most. */
export const AI_TIMEOUT_SECONDS = 29;

/** The `/v1/ai` routes. */
export const AI_ROUTES = [
  defineRoute({
    id: 'aiRecommendations',
    method: 'POST',
    path: '/v1/ai/recommendations',
    access: [Admin, Viewer, Agent],
    summary: 'Which agent should take which ready item, with a score and a reason per pair',
    body: RecommendationsBody,
    grants: 'readWrite',
    timeoutSeconds: AI_TIMEOUT_SECONDS,
    responses: { 200: RecommendationsReply },
    errors: ['not_found', 'forbidden'],
  }),
  defineRoute({
    id: 'aiQuery',
    method: 'POST',
    path: '/v1/ai/query',
    access: [Admin, Viewer, Agent],
    summary:
      'Answer a question about the live state (`?stream=1`: as server-sent events `ai.delta` then `ai.done`)',
    body: QueryBody,
    query: AskQuery,
    grants: 'readWrite',
    timeoutSeconds: AI_TIMEOUT_SECONDS,
    responses: { 200: QueryReply },
  }),
  defineRoute({
    id: 'aiHealth',
    method: 'GET',
    path: '/v1/ai/health',
    access: [Admin, Viewer],
    summary: 'Findings and alerts from agents, teams, work, escalations and dead-letter queues',
    grants: 'readWrite',
    timeoutSeconds: AI_TIMEOUT_SECONDS,
    responses: { 200: AiHealthReply },
  }),
  defineRoute({
    id: 'aiPerformance',
    method: 'GET',
    path: '/v1/ai/performance',
    access: [Admin, Viewer],
    summary:
      'Per agent and team: throughput, failure and lease-expiry rates, estimate accuracy, trend, suggestions',
    query: PerformanceQuery,
    grants: 'readWrite',
    timeoutSeconds: AI_TIMEOUT_SECONDS,
    responses: { 200: PerformanceReply },
  }),
] as const;

/** These routes by id: a handler takes its route here, so its bundle builds no other area's schemas. */
export const aiRoutes = routesById(AI_ROUTES);
