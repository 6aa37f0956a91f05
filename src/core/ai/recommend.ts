/**
 * Assignment recommendations without a model: rank agent <-> work pairs by the signals a
 * dispatcher would weigh (urgency, which already folds in priority, value, deadline and age;
 * free capacity; health; how often the agent completes what it claims; how well its skills fit) and hand each ready item to its best
 * agent while that agent has free slots. Titles and descriptions are never read, so text written
 * by agents cannot move a recommendation.
 */
import type { WorkItem } from '../model';
import { type AgentFacts, freeSlots, hoursLeft, inService, type Snapshot } from './snapshot';

/** One recommended pairing. */
export interface Recommendation {
  readonly agentId: string;
  readonly workId: string;
  /** 0..100, higher is better. */
  readonly score: number;
  readonly reason: string;
}

/** Narrow the recommendations to one item or one agent. */
export interface RecommendationFocus {
  readonly workId?: string;
  readonly agentId?: string;
}

/** Most recommendations in one answer. */
export const MAX_RECOMMENDATIONS = 20;
/** Alternatives listed when the answer is about one item or one agent. */
const FOCUSED_LIMIT = 5;

const WEIGHTS = { urgency: 40, load: 20, health: 15, reliability: 15, fit: 10 } as const;
/** Finished claims needed before an agent's completion ratio counts. */
const MIN_OUTCOMES = 3;

/** Share of an agent's finished claims that it completed (1 until it has a few). */
const reliabilityOf = (facts: AgentFacts): number => {
  const { completed, failed, leaseExpiries } = facts.agent.stats;
  const ended = completed + failed + leaseExpiries;
  return ended < MIN_OUTCOMES ? 1 : completed / ended;
};

/** Whether `facts` may take `item`: in service, same team, a free slot, every required capability. */
export const canTake = (facts: AgentFacts, item: WorkItem): boolean =>
  inService(facts) &&
  facts.agent.team === item.team &&
  freeSlots(facts) > 0 &&
  item.requiredCapabilities.every((capability) => facts.agent.capabilities.includes(capability));

const deadlineNote = (item: WorkItem, now: Date): string[] => {
  if (item.deadline === undefined) return [];
  const hours = hoursLeft(item.deadline, now);
  return [hours < 0 ? `deadline passed ${Math.round(-hours)}h ago` : `due in ${Math.round(hours)}h`];
};

/** The score of one pair and why. */
export const scorePair = (
  facts: AgentFacts,
  item: WorkItem,
  maxUrgency: number,
  now: Date,
): Recommendation => {
  const { agent } = facts;
  const free = freeSlots(facts);
  const urgency = maxUrgency > 0 ? item.urgency / maxUrgency : 0;
  const load = free / agent.capacity;
  const fit = (item.requiredCapabilities.length + 1) / (agent.capabilities.length + 1);
  const reliability = reliabilityOf(facts);
  const score =
    WEIGHTS.urgency * urgency +
    WEIGHTS.load * load +
    WEIGHTS.health * (facts.health.score / 100) +
    WEIGHTS.reliability * reliability +
    WEIGHTS.fit * Math.min(1, fit);
  const skills = item.requiredCapabilities.length
    ? `has ${item.requiredCapabilities.join(', ')}`
    : 'no special skills needed';
  const reason = [
    `${item.priority} priority, urgency ${Math.round(item.urgency)}`,
    ...deadlineNote(item, now),
    skills,
    `${agent.activeClaims}/${agent.capacity} slots used`,
    `health ${facts.health.score}`,
    ...(reliability < 1 ? [`completes ${Math.round(reliability * 100)}% of its claims`] : []),
  ].join('; ');
  return { agentId: agent.id, workId: item.id, score: Math.round(score * 10) / 10, reason };
};

const byScore = (a: Recommendation, b: Recommendation): number =>
  b.score - a.score || a.workId.localeCompare(b.workId) || a.agentId.localeCompare(b.agentId);

/** Every pair that could be claimed now, scored, best first. */
export const candidatePairs = (snapshot: Snapshot, focus: RecommendationFocus = {}): Recommendation[] => {
  const ready = snapshot.work.filter((item) => item.status === 'ready');
  const maxUrgency = Math.max(0, ...ready.map((item) => item.urgency));
  const items = ready.filter((item) => focus.workId === undefined || item.id === focus.workId);
  const agents = snapshot.agents.filter(
    (facts) => focus.agentId === undefined || facts.agent.id === focus.agentId,
  );
  return items
    .flatMap((item) =>
      agents
        .filter((facts) => canTake(facts, item))
        .map((facts) => scorePair(facts, item, maxUrgency, snapshot.now)),
    )
    .sort(byScore);
};

/**
 * The heuristic's recommendations: for one item, its best agents; for one agent, its best items;
 * otherwise a plan that gives each ready item (most urgent pairs first) to one agent while the
 * agent has free slots.
 */
export const recommend = (snapshot: Snapshot, focus: RecommendationFocus = {}): Recommendation[] => {
  const pairs = candidatePairs(snapshot, focus);
  if (focus.workId !== undefined || focus.agentId !== undefined) return pairs.slice(0, FOCUSED_LIMIT);
  const slots = new Map(snapshot.agents.map((facts) => [facts.agent.id, freeSlots(facts)]));
  const placed = new Set<string>();
  const plan: Recommendation[] = [];
  for (const pair of pairs) {
    const left = slots.get(pair.agentId) ?? 0;
    if (placed.has(pair.workId) || left <= 0) continue;
    placed.add(pair.workId);
    slots.set(pair.agentId, left - 1);
    plan.push(pair);
    if (plan.length === MAX_RECOMMENDATIONS) break;
  }
  return plan;
};
