/** The live state the AI features reason about, read once per answer with bounded reads. */
import type { Health } from '../agents/health';
import type { AgentStatus } from '../agents/status';
import type { Escalation } from '../escalations/escalation';
import type { Agent, WorkItem } from '../model';

/** An agent with its derived status and health at the snapshot's time. */
export interface AgentFacts {
  readonly agent: Agent;
  readonly status: AgentStatus;
  readonly health: Health;
}

/** What the service looks like now. */
export interface Snapshot {
  readonly now: Date;
  readonly agents: readonly AgentFacts[];
  /** Open items (blocked, ready, claimed, in progress) and escalated ones. */
  readonly work: readonly WorkItem[];
  /** Open escalations. */
  readonly escalations: readonly Escalation[];
  /** Whether a read stopped at its bound, so counts may be low. */
  readonly truncated: boolean;
}

/** Whether an agent can take work now. */
export const inService = (facts: AgentFacts): boolean => facts.status === 'active' || facts.status === 'idle';

/** Slots an agent has free. */
export const freeSlots = (facts: AgentFacts): number =>
  Math.max(0, facts.agent.capacity - facts.agent.activeClaims);

/** Hours until `deadline` (negative once passed). */
export const hoursLeft = (deadline: string, now: Date): number =>
  (Date.parse(deadline) - now.getTime()) / 3_600_000;

/** The team a finding's subject (`agent:<id>`, `team:<name>`, `work:<id>`) belongs to, if known. */
export const teamOfSubject = (snapshot: Snapshot, subject: string): string | undefined => {
  const [kind, id] = [subject.slice(0, subject.indexOf(':')), subject.slice(subject.indexOf(':') + 1)];
  if (kind === 'team')
    return snapshot.agents.some((f) => f.agent.team === id) || snapshot.work.some((i) => i.team === id)
      ? id
      : undefined;
  if (kind === 'agent') return snapshot.agents.find((f) => f.agent.id === id)?.agent.team;
  if (kind === 'work') return snapshot.work.find((i) => i.id === id)?.team;
  return undefined;
};

/**
 * What one team may see of the snapshot: its own agents, work and escalations, nothing of another
 * team (an agent asking sees only its team, API.md "Roles"). Without a team, nothing.
 */
export const teamView = (snapshot: Snapshot, team: string | undefined): Snapshot => ({
  now: snapshot.now,
  agents: snapshot.agents.filter((facts) => team !== undefined && facts.agent.team === team),
  work: snapshot.work.filter((item) => team !== undefined && item.team === team),
  escalations: snapshot.escalations.filter((escalation) => team !== undefined && escalation.team === team),
  truncated: snapshot.truncated,
});
