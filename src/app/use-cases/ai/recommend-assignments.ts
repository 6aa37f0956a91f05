import { FallbackReason } from '#core/ai/model';
import { DATA_RULES, quoteData } from '#core/ai/quote';
import { candidatePairs, MAX_RECOMMENDATIONS, type Recommendation, recommend } from '#core/ai/recommend';
import type { Snapshot } from '#core/ai/snapshot';
import { agentIdOf, assertActsAs } from '#core/authz';
import { NotFoundError } from '#core/errors';
import type { Settings } from '#core/settings';
import { inFlightFlags } from '#core/work/paths-flags';
import type { RequestContext } from '../../context';
import { presentFlags } from '../../presenters';
import { ModelRecommendations, type RecommendationsBody, type RecommendationsReply } from '../../schemas/ai';
import { currentSettings } from '../../settings';
import {
  type AiDeps,
  callSettings,
  claudeOrHeuristic,
  ensureOutput,
  readSnapshot,
  toolCheck,
  toolInput,
} from './shared';

const CHECK = toolCheck(ModelRecommendations);
const TOOL = 'submit_recommendations';

const SYSTEM = `${DATA_RULES}
Task: recommend which agent should take which ready work item next. Weigh urgency (priority, business value, deadline, age), the agent's free capacity, its health and how well its capabilities fit. Only recommend pairs listed in "candidates" (the agent can claim the item now). Give each item to at most one agent unless asked about a single item, and never give an agent more items than its free slots. Score each pair 0..100 and give a short reason that cites the facts. Answer only by calling ${TOOL}.`;

/** Candidate pairs handed to the model at most. */
const MAX_CANDIDATES = 60;

const modelInput = (snapshot: Snapshot, candidates: readonly Recommendation[]) => {
  const itemIds = new Set(candidates.map((c) => c.workId));
  const agentIds = new Set(candidates.map((c) => c.agentId));
  return {
    now: snapshot.now.toISOString(),
    items: snapshot.work
      .filter((item) => itemIds.has(item.id))
      .map((item) => ({
        id: item.id,
        title: item.title,
        ...(item.description ? { description: item.description.slice(0, 500) } : {}),
        team: item.team,
        priority: item.priority,
        businessValue: item.businessValue,
        urgency: Math.round(item.urgency),
        ...(item.deadline ? { deadline: item.deadline } : {}),
        requiredCapabilities: item.requiredCapabilities,
        ...(item.estimateMinutes ? { estimateMinutes: item.estimateMinutes } : {}),
      })),
    agents: snapshot.agents
      .filter((facts) => agentIds.has(facts.agent.id))
      .map(({ agent, status, health }) => ({
        id: agent.id,
        team: agent.team,
        status,
        capabilities: agent.capabilities,
        activeClaims: agent.activeClaims,
        capacity: agent.capacity,
        health: health.score,
      })),
    candidates,
  };
};

/** The model's plan, if it only uses candidate pairs and respects items and slots. */
const checkPlan = (
  plan: readonly Recommendation[],
  candidates: readonly Recommendation[],
  snapshot: Snapshot,
  focused: boolean,
): void => {
  const allowed = new Set(candidates.map((c) => `${c.agentId}\n${c.workId}`));
  ensureOutput(
    plan.every((r) => allowed.has(`${r.agentId}\n${r.workId}`)),
    'The model recommended a pair that cannot be claimed.',
  );
  if (focused) return;
  const items = plan.map((r) => r.workId);
  ensureOutput(new Set(items).size === items.length, 'The model gave one item to several agents.');
  for (const facts of snapshot.agents) {
    const given = plan.filter((r) => r.agentId === facts.agent.id).length;
    ensureOutput(given <= facts.agent.capacity - facts.agent.activeClaims, 'The model overloaded an agent.');
  }
};

const askModel = async (
  deps: AiDeps,
  settings: Settings,
  snapshot: Snapshot,
  focus: RecommendationsBody,
  candidates: readonly Recommendation[],
) => {
  const focusText = focus.workId
    ? `Rank the best agents for item ${focus.workId}.`
    : focus.agentId
      ? `Rank the best items for agent ${focus.agentId}.`
      : 'Plan the next assignments across all teams.';
  const reply = await deps.ai.complete(
    {
      purpose: 'recommendations',
      system: SYSTEM,
      messages: [
        { role: 'user', content: `${quoteData('state', modelInput(snapshot, candidates))}\n${focusText}` },
      ],
      tools: [
        {
          name: TOOL,
          description: 'Submit the recommended agent <-> work pairs, best first.',
          inputSchema: ModelRecommendations as unknown as Record<string, unknown>,
        },
      ],
      forceTool: TOOL,
    },
    callSettings(settings),
  );
  const { recommendations } = toolInput<ModelRecommendations>(reply, TOOL, CHECK);
  checkPlan(recommendations, candidates, snapshot, focus.workId !== undefined || focus.agentId !== undefined);
  return {
    recommendations: [...recommendations].sort((a, b) => b.score - a.score).slice(0, MAX_RECOMMENDATIONS),
  };
};

/**
 * Each recommendation with what its item has against the items in flight of its team
 * (overlapping paths unless the recommended agent holds the other item, near-duplicate titles),
 * whoever chose it: the model never sees or sets these.
 */
const withFlags = (
  recommendations: readonly RecommendationsReply['recommendations'][number][],
  snapshot: Snapshot,
): RecommendationsReply['recommendations'] => {
  const byId = new Map(snapshot.work.map((item) => [item.id, item]));
  return recommendations.map((recommendation) => {
    const item = byId.get(recommendation.workId);
    const flags = item ? inFlightFlags(item, snapshot.work, recommendation.agentId) : [];
    return flags.length > 0 ? { ...recommendation, flags: presentFlags(flags) } : recommendation;
  });
};

/**
 * `POST /v1/ai/recommendations`: which agent should take which ready item.
 * 1. an agent asks for itself (naming another agent is 403); a named item or agent must exist (404);
 * 2. read the live state (bounded) and score every pair that could be claimed now;
 * 3. with candidates, ask Claude to choose among them (its answer must fit the schema and use
 *    only candidate pairs within free slots); otherwise, or when Claude cannot be used or answers
 *    badly, the heuristic's plan with the reason. Advisory: nothing is claimed or changed.
 * @throws ForbiddenError, NotFoundError
 */
export const recommendAssignments = async (
  deps: AiDeps,
  ctx: RequestContext,
  body: RecommendationsBody,
): Promise<RecommendationsReply> => {
  if (body.agentId !== undefined) assertActsAs(ctx.principal, body.agentId);
  const agentId = body.agentId ?? agentIdOf(ctx.principal);
  const focus: RecommendationsBody = {
    ...(body.workId ? { workId: body.workId } : {}),
    ...(agentId ? { agentId } : {}),
  };
  const [settings, item, agent] = await Promise.all([
    currentSettings(deps),
    focus.workId === undefined ? undefined : deps.work.get(focus.workId),
    focus.agentId === undefined ? undefined : deps.agents.get(focus.agentId),
  ]);
  if (focus.workId !== undefined && !item) throw new NotFoundError('work item', focus.workId);
  if (focus.agentId !== undefined && !agent) throw new NotFoundError('agent', focus.agentId);
  const snapshot = await readSnapshot(deps, settings);
  const heuristic = () => ({ recommendations: recommend(snapshot, focus) });
  const candidates = candidatePairs(snapshot, focus).slice(0, MAX_CANDIDATES);
  if (candidates.length === 0) {
    // Nothing could be claimed now, so there is nothing to ask Claude; say why it was not used.
    const reason = settings.ai.enabled ? await deps.ai.missingKey() : FallbackReason.NoKey;
    return { source: 'heuristic', recommendations: [], ...(reason ? { fallbackReason: reason } : {}) };
  }
  const reply = await claudeOrHeuristic(
    settings,
    () => askModel(deps, settings, snapshot, focus, candidates),
    heuristic,
  );
  return { ...reply, recommendations: withFlags(reply.recommendations, snapshot) };
};
