/**
 * Domain records -> API views (`schemas/views.ts`). The only place that decides what a reader
 * sees: claim tokens, token ids, agent stats and internal fields (`remainingDeps`, `dependents`,
 * `readyAt`, the holder snapshot) stay inside.
 */
import { agentHealth } from '#core/agents/health';
import { agentStatus } from '#core/agents/liveness';
import type { PathsInUse } from '#core/errors';
import type { Escalation } from '#core/escalations/escalation';
import type { Agent, AuditEvent, WorkItem } from '#core/model';
import type { Settings } from '#core/settings';
import { urgencyOf } from '#core/urgency';
import type { InFlightFlag } from '#core/work/paths-flags';
import { cursorOf } from './event-cursor';
import type { EscalationView } from './schemas/escalations';
import type { AgentViewSchema, AuditEventView, ClaimView, InFlightFlagView, WorkView } from './schemas/views';

/** A copy without the keys whose value is `undefined`, so replies never carry empty optionals. */
const compact = <T extends Record<string, unknown>>(record: T): T =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;

/** A work item as readers see it, with urgency computed at `now` and no claim token. */
export const presentWork = (item: WorkItem, now: Date, settings: Settings): WorkView =>
  compact({
    id: item.id,
    type: item.type,
    title: item.title,
    description: item.description,
    team: item.team,
    priority: item.priority,
    businessValue: item.businessValue,
    deadline: item.deadline,
    requiredCapabilities: [...item.requiredCapabilities],
    paths: item.paths && [...item.paths],
    dependsOn: [...item.dependsOn],
    blockedBy: [...item.remainingDeps],
    estimateMinutes: item.estimateMinutes,
    maxAttempts: item.maxAttempts,
    attempts: item.attempts,
    status: item.status,
    progress: item.progress,
    urgency: urgencyOf(item, now, settings.urgencyWeights),
    claim: item.claim && {
      agentId: item.claim.agentId,
      claimedAt: item.claim.claimedAt,
      leaseExpiresAt: item.claim.leaseExpiresAt,
    },
    lastNote: item.lastNote,
    result: item.result,
    failure: item.failure && { ...item.failure },
    cancelReason: item.cancelReason,
    createdBy: { type: item.createdBy.type, id: item.createdBy.id },
    metadata: item.metadata,
    version: item.version,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    completedAt: item.completedAt,
  });

/**
 * The claim reply: the item plus its claim token. Only for the holder that just claimed it.
 * @throws Error when the item carries no claim (a use case bug, never a caller's fault).
 */
export const presentClaim = (
  item: WorkItem,
  now: Date,
  settings: Settings,
  overlaps: readonly PathsInUse[] = [],
): ClaimView => {
  if (!item.claim) throw new Error(`Work item ${item.id} has no claim to present`);
  return {
    item: presentWork(item, now, settings),
    claim: { token: item.claim.token, leaseExpiresAt: item.claim.leaseExpiresAt },
    ...(overlaps.length > 0
      ? { overlaps: overlaps.map(({ holder, paths }) => ({ holder: { ...holder }, paths: [...paths] })) }
      : {}),
  };
};

/** Flags against items in flight, as replies carry them. */
export const presentFlags = (flags: readonly InFlightFlag[]): InFlightFlagView[] =>
  flags.map((flag) => (flag.kind === 'paths_overlap' ? { ...flag, paths: [...flag.paths] } : { ...flag }));

/** An agent with its derived status and health at `now` (never its token id or raw stats). */
export const presentAgent = (agent: Agent, now: Date, settings: Settings): AgentViewSchema => {
  const health = agentHealth(agent, now, settings.heartbeatTimeoutMultiple);
  return compact({
    id: agent.id,
    team: agent.team,
    capabilities: [...agent.capabilities],
    capacity: agent.capacity,
    heartbeatIntervalSec: agent.heartbeatIntervalSec,
    metadata: agent.metadata,
    activeClaims: agent.activeClaims,
    lastHeartbeatAt: agent.lastHeartbeatAt,
    reportedStatus: agent.reportedStatus,
    retirement: agent.retirement && compact({ ...agent.retirement }),
    status: agentStatus(agent, now, settings.heartbeatTimeoutMultiple),
    health: { score: health.score, reasons: [...health.reasons] },
    version: agent.version,
    createdAt: agent.createdAt,
    updatedAt: agent.updatedAt,
  });
};

/** An audit entry as `GET /v1/audit` shows it. */
export const presentEvent = (event: AuditEvent): AuditEventView =>
  compact({
    id: event.id,
    seq: event.seq,
    at: event.at,
    actor: { type: event.actor.type, id: event.actor.id },
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    before: event.before,
    after: event.after,
    requestId: event.requestId,
    cursor: cursorOf(event),
  });

/** An escalation as readers see it (without its number and version). */
export const presentEscalation = (escalation: Escalation): EscalationView =>
  compact({
    id: escalation.id,
    workId: escalation.workId,
    team: escalation.team,
    kind: escalation.kind,
    status: escalation.status,
    openedAt: escalation.openedAt,
    resolvedAt: escalation.resolvedAt,
    details: { ...escalation.details },
    resolution:
      escalation.resolution &&
      compact({
        by: { type: escalation.resolution.by.type, id: escalation.resolution.by.id },
        note: escalation.resolution.note,
      }),
  });
