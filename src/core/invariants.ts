/**
 * Invariants the service keeps, stated so they can be checked from the store and repaired on
 * purpose (issue "invariants you can see"). Each check looks at one record (with what it needs
 * beside it) and says whether it holds and, when not, why; each repair is an ordinary decision:
 * a conditional write with its audit event.
 */

import { agentStatus } from './agents/liveness';
import { AgentStatus } from './agents/status';
import { auditEvent, type ChangeContext } from './audit';
import { type Escalation, EscalationStatus } from './escalations/escalation';
import { Action } from './events';
import { type Agent, EntityType, type JsonObject, type WorkItem } from './model';
import type { Change } from './ports';
import type { Settings } from './settings';
import { addSeconds, isBefore, iso } from './time';
import { isHeld, WorkStatus } from './work/status';

/** The invariants, by name (the `{name}` of `POST /v1/invariants/{name}/repair`). */
export const InvariantName = {
  HeldItemsLeased: 'held_items_leased',
  AgentClaimsMatch: 'agent_claims_match',
  ReadyItemsUnblocked: 'ready_items_unblocked',
  EscalationsOnOpenItems: 'escalations_on_open_items',
  SilentAgentsAnnounced: 'silent_agents_announced',
} as const;

/** An invariant's name. */
export type InvariantName = (typeof InvariantName)[keyof typeof InvariantName];

/** Every invariant, in the order they are listed. */
export const INVARIANT_NAMES: readonly InvariantName[] = Object.values(InvariantName);

/** What each invariant promises, as `GET /v1/invariants` says it. */
export const INVARIANT_DESCRIPTIONS: Readonly<Record<InvariantName, string>> = {
  held_items_leased:
    'Every claimed or in-progress item has a claim whose lease is live, or expired less than a grace period ago (the sweeper is bringing it back).',
  agent_claims_match: "Each agent's activeClaims equals the number of items it holds.",
  ready_items_unblocked: 'No ready item waits on a dependency that is not completed.',
  escalations_on_open_items: 'No open escalation refers to a completed or cancelled item.',
  silent_agents_announced:
    'No agent is shown active or idle without a recent heartbeat: a silent agent has been announced offline.',
};

/** How long after its lease ran out a held item counts as on its way back (two sweeps and a margin). */
export const LEASE_GRACE_SECONDS = 150;

/** A record that breaks an invariant, and why. */
export interface Violation {
  readonly entityId: string;
  readonly detail: string;
}

/** Whether a held item's claim is live (or recently lapsed); a violation otherwise. */
export const heldItemViolation = (item: WorkItem, now: Date): Violation | undefined => {
  if (!isHeld(item.status)) return undefined;
  const { claim } = item;
  if (!claim) return { entityId: item.id, detail: `${item.status} without a claim` };
  if (isBefore(addSeconds(new Date(claim.leaseExpiresAt), LEASE_GRACE_SECONDS), now)) {
    return {
      entityId: item.id,
      detail: `held by ${claim.agentId}; its lease expired at ${claim.leaseExpiresAt} and was not ended`,
    };
  }
  return undefined;
};

/** Whether an agent's count matches the `held` items it holds. */
export const claimsViolation = (agent: Agent, held: number): Violation | undefined =>
  agent.activeClaims === held
    ? undefined
    : { entityId: agent.id, detail: `activeClaims is ${agent.activeClaims}, but it holds ${held}` };

/** Whether a ready item waits on a dependency that is not completed (`dependencies` as read). */
export const readyItemViolation = (
  item: WorkItem,
  dependencies: readonly WorkItem[],
): Violation | undefined => {
  if (item.status !== WorkStatus.Ready || item.dependsOn.length === 0) return undefined;
  const open = item.dependsOn.filter(
    (id) => dependencies.find((dependency) => dependency.id === id)?.status !== WorkStatus.Completed,
  );
  return open.length === 0
    ? undefined
    : { entityId: item.id, detail: `ready while waiting on ${open.join(', ')}` };
};

const ENDED: readonly string[] = [WorkStatus.Completed, WorkStatus.Cancelled];

/** Whether an open escalation refers to an item that completed or was cancelled. */
export const escalationViolation = (
  escalation: Escalation,
  item: WorkItem | undefined,
): Violation | undefined =>
  escalation.status === EscalationStatus.Open && item !== undefined && ENDED.includes(item.status)
    ? { entityId: escalation.id, detail: `open, but ${item.id} is ${item.status}` }
    : undefined;

/** Whether a silent agent is still shown as present (never announced offline since it went quiet). */
export const silentAgentViolation = (
  agent: Agent,
  now: Date,
  settings: Pick<Settings, 'heartbeatTimeoutMultiple'>,
): Violation | undefined => {
  if (agentStatus(agent, now, settings.heartbeatTimeoutMultiple) !== AgentStatus.Offline) return undefined;
  const announced = agent.offlineSince !== undefined && !isBefore(agent.offlineSince, agent.lastHeartbeatAt);
  // Past the timeout by more than the grace period: the sweeper had its chances.
  const due = addSeconds(
    new Date(agent.lastHeartbeatAt),
    agent.heartbeatIntervalSec * settings.heartbeatTimeoutMultiple + LEASE_GRACE_SECONDS,
  );
  return announced || isBefore(now, due)
    ? undefined
    : { entityId: agent.id, detail: `silent since ${agent.lastHeartbeatAt}, never announced offline` };
};

/** At most this many examples are kept per check. */
export const MAX_EXAMPLES = 20;

/** What one round of a check (from the first page to the last) found so far. */
export interface InvariantRound {
  readonly startedAt: string;
  readonly checkedAt: string;
  readonly checked: number;
  readonly violations: number;
  readonly examples: readonly Violation[];
}

/** One check's state: where the next page starts, the round under way and the last whole round. */
export interface InvariantState {
  readonly cursors: Readonly<Record<string, string>>;
  readonly current?: InvariantRound;
  readonly last?: InvariantRound;
  readonly lastRepair?: { readonly at: string; readonly repaired: number; readonly by: string };
}

/** Every check's state, kept as one record. */
export type InvariantStates = Partial<Record<InvariantName, InvariantState>>;

/** Where the states are kept (one Meta item). */
export interface InvariantStore {
  get(): Promise<InvariantStates | undefined>;
  put(states: InvariantStates): Promise<void>;
}

/** A repair: the change to commit, and the record as it will be. */
export interface Repair<T> {
  readonly next: T;
  readonly change: Change;
}

const repairedEvent = (
  ctx: ChangeContext,
  name: InvariantName,
  subject: { entityType: EntityType; entityId: string; seq: number; team: string; agentId?: string },
  before: JsonObject,
  after: JsonObject,
) =>
  auditEvent(ctx, {
    action: Action.InvariantRepaired,
    ...subject,
    before,
    after: { ...after, invariant: name },
  });

/** The agent with `activeClaims` set to what it holds. */
export const repairAgentClaims = (
  agent: Agent,
  held: number,
  ctx: ChangeContext,
): Repair<Agent> | undefined => {
  if (agent.activeClaims === held) return undefined;
  const next: Agent = { ...agent, activeClaims: held, version: agent.version + 1, updatedAt: iso(ctx.now) };
  const event = repairedEvent(
    ctx,
    InvariantName.AgentClaimsMatch,
    {
      entityType: EntityType.Agent,
      entityId: agent.id,
      seq: next.version,
      team: agent.team,
      agentId: agent.id,
    },
    { activeClaims: agent.activeClaims },
    { activeClaims: held },
  );
  return {
    next,
    change: { writes: [{ kind: 'agent', agent: next, expectedVersion: agent.version }], events: [event] },
  };
};

/** The item moved to `status` at its next version, recorded as the repair of invariant `name`. */
const statusRepair = (
  item: WorkItem,
  status: WorkItem['status'],
  name: InvariantName,
  ctx: ChangeContext,
): Repair<WorkItem> => {
  const next: WorkItem = { ...item, status, version: item.version + 1, updatedAt: iso(ctx.now) };
  const event = repairedEvent(
    ctx,
    name,
    { entityType: EntityType.Work, entityId: item.id, seq: next.version, team: item.team },
    { status: item.status },
    { status: next.status },
  );
  return {
    next,
    change: { writes: [{ kind: 'work', item: next, expectedVersion: item.version }], events: [event] },
  };
};

/** The ready item back to `blocked` while a dependency is open. */
export const repairReadyItem = (
  item: WorkItem,
  dependencies: readonly WorkItem[],
  ctx: ChangeContext,
): Repair<WorkItem> | undefined =>
  readyItemViolation(item, dependencies)
    ? statusRepair(item, WorkStatus.Blocked, InvariantName.ReadyItemsUnblocked, ctx)
    : undefined;

/** A held item without a claim goes back to `ready` (one with a claim ends by {@link expireLease}). */
export const repairUnclaimedHeldItem = (item: WorkItem, ctx: ChangeContext): Repair<WorkItem> | undefined =>
  isHeld(item.status) && !item.claim
    ? statusRepair(item, WorkStatus.Ready, InvariantName.HeldItemsLeased, ctx)
    : undefined;
