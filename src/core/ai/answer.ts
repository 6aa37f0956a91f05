/**
 * The heuristic's answers to the common questions (who is overloaded, what is at risk, what is
 * blocked, how is team X doing), from the same read-only tools the model uses, so its facts are
 * the same kind the model would cite.
 */
import type { JsonObject } from '../model';
import { hoursLeft, type Snapshot } from './snapshot';
import { runTool, type TeamFigures, teamFigures } from './tools';

/** A tool call an answer relied on. */
export interface Fact {
  readonly tool: string;
  readonly input: JsonObject;
  readonly summary: string;
}

/** An answer and the facts behind it. */
export interface Answer {
  readonly answer: string;
  readonly facts: readonly Fact[];
}

type Intent = 'overloaded' | 'at_risk' | 'blocked' | 'offline' | 'team' | 'summary';

const INTENTS: readonly [Intent, RegExp][] = [
  ['overloaded', /overload|busy|capacity|\bload\b|too much|swamped/i],
  ['at_risk', /risk|deadline|late|overdue|behind|slip/i],
  ['blocked', /block|stuck|waiting|depend|escalat/i],
  ['offline', /offline|down|dead|unhealthy|health|silent|heartbeat/i],
];

/** What the question asks about: the team it names (a known team), and the intents it matches. */
export const intentsOf = (
  question: string,
  teams: readonly string[],
): { intents: Intent[]; team?: string } => {
  const lower = question.toLowerCase();
  const pattern = (name: string) =>
    new RegExp(
      `(^|[^a-z0-9_.-])${name.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^a-z0-9_.-])`,
      'g',
    );
  // The longest name first, so team `core-db` wins over `core`.
  const team = [...teams].sort((a, b) => b.length - a.length).find((name) => pattern(name).test(lower));
  // A team's own name says nothing about the question (team `busy` is not an overload question).
  const rest = team ? lower.replace(pattern(team), ' ') : lower;
  const intents = INTENTS.filter(([, intent]) => intent.test(rest)).map(([intent]) => intent);
  if (intents.length === 0) intents.push(team ? 'team' : 'summary');
  return { intents, ...(team ? { team } : {}) };
};

const list = (names: readonly string[], none: string): string =>
  names.length === 0
    ? none
    : names.slice(0, 10).join(', ') + (names.length > 10 ? ` and ${names.length - 10} more` : '');

const overloaded = (snapshot: Snapshot, team?: string): string => {
  const full = snapshot.agents.filter(
    (f) =>
      (team === undefined || f.agent.team === team) &&
      f.status === 'active' &&
      f.agent.activeClaims >= f.agent.capacity,
  );
  const tight = teamFigures(snapshot).filter((t) => (t.work.ready ?? 0) > t.freeSlots);
  return [
    `Agents at full capacity: ${list(
      full.map((f) => `${f.agent.id} (${f.agent.activeClaims}/${f.agent.capacity})`),
      'none',
    )}.`,
    `Teams with more ready work than free slots: ${list(
      tight
        .filter((t) => team === undefined || t.team === team)
        .map((t) => `${t.team} (${t.work.ready ?? 0} ready, ${t.freeSlots} free)`),
      'none',
    )}.`,
  ].join(' ');
};

const atRisk = (snapshot: Snapshot, team?: string): string => {
  const open = snapshot.work.filter(
    (i) => (team === undefined || i.team === team) && i.deadline !== undefined && i.status !== 'escalated',
  );
  const late = open.filter((i) => hoursLeft(i.deadline as string, snapshot.now) < 0);
  const soon = open.filter((i) => {
    const h = hoursLeft(i.deadline as string, snapshot.now);
    return h >= 0 && h < 24 && (i.status === 'ready' || i.status === 'blocked');
  });
  return [
    `Overdue: ${list(
      late.map((i) => `${i.id} (${i.status})`),
      'none',
    )}.`,
    `Due within 24h and not started: ${list(
      soon.map(
        (i) => `${i.id} (${Math.round(hoursLeft(i.deadline as string, snapshot.now))}h left, ${i.status})`,
      ),
      'none',
    )}.`,
  ].join(' ');
};

const blocked = (snapshot: Snapshot, team?: string): string => {
  const mine = snapshot.work.filter((i) => team === undefined || i.team === team);
  const waiting = mine.filter((i) => i.status === 'blocked');
  const escalated = mine.filter((i) => i.status === 'escalated');
  const escalations = snapshot.escalations.filter((e) => team === undefined || e.team === team);
  return [
    `Blocked: ${list(
      waiting.map((i) => `${i.id} (waiting on ${i.remainingDeps.join(', ')})`),
      'none',
    )}.`,
    `Escalated: ${list(
      escalated.map((i) => i.id),
      'none',
    )}.`,
    `Open escalations: ${escalations.length}.`,
  ].join(' ');
};

const offline = (snapshot: Snapshot, team?: string): string => {
  const mine = snapshot.agents.filter((f) => team === undefined || f.agent.team === team);
  const gone = mine.filter((f) => f.status === 'offline');
  const weak = mine.filter((f) => f.status !== 'offline' && f.status !== 'retired' && f.health.score < 60);
  return [
    `Offline: ${list(
      gone.map((f) => `${f.agent.id}${f.agent.activeClaims ? ` holding ${f.agent.activeClaims}` : ''}`),
      'none',
    )}.`,
    `Low health: ${list(
      weak.map((f) => `${f.agent.id} (${f.health.score}: ${f.health.reasons.join('; ')})`),
      'none',
    )}.`,
  ].join(' ');
};

const describeTeam = (t: TeamFigures): string =>
  `Team ${t.team}: ${t.inService} agents in service (${t.freeSlots}/${t.capacity} slots free), work ${
    Object.entries(t.work)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ') || 'none open'
  }, ${t.overdue} overdue.`;

const summary = (snapshot: Snapshot, team?: string): string => {
  const teams = teamFigures(snapshot).filter((t) => team === undefined || t.team === team);
  return teams.length ? teams.map(describeTeam).join(' ') : 'No agents or open work yet.';
};

const WRITERS: Readonly<Record<Intent, (snapshot: Snapshot, team?: string) => string>> = {
  overloaded,
  at_risk: atRisk,
  blocked,
  offline,
  team: summary,
  summary,
};

const TOOLS_OF: Readonly<Record<Intent, readonly { tool: string; input?: JsonObject }[]>> = {
  overloaded: [{ tool: 'list_agents', input: { status: 'active' } }, { tool: 'team_stats' }],
  at_risk: [{ tool: 'list_work' }],
  blocked: [{ tool: 'list_work', input: { status: 'blocked' } }, { tool: 'list_escalations' }],
  offline: [{ tool: 'list_agents' }],
  team: [{ tool: 'team_stats' }],
  summary: [{ tool: 'team_stats' }, { tool: 'metrics' }],
};

/** The heuristic's answer: one paragraph per intent the question matches, with the tools behind it. */
export const heuristicAnswer = (snapshot: Snapshot, question: string): Answer => {
  const teams = teamFigures(snapshot).map((t) => t.team);
  const { intents, team } = intentsOf(question, teams);
  const facts: Fact[] = intents.flatMap((intent) =>
    TOOLS_OF[intent].map(({ tool, input = {} }) => {
      const args = team && tool !== 'metrics' ? { ...input, team } : input;
      return { tool, input: args, summary: runTool(snapshot, tool, args).summary };
    }),
  );
  const text = intents.map((intent) => WRITERS[intent](snapshot, team)).join(' ');
  return { answer: `(heuristic answer, Claude not used) ${text}`, facts };
};
