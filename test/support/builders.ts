/**
 * Builders of domain records for tests: a valid record with every required field, overridable
 * field by field. Ids are unique per call so tests sharing tables never collide.
 */
import { randomUUID } from 'node:crypto';
import { Action } from '#core/events';
import { type Agent, type AuditEvent, EntityType, type WorkClaim, type WorkItem } from '#core/model';
import { ActorType } from '#core/roles';
import { Priority, WorkStatus } from '#core/work/status';

const T0 = '2026-03-02T09:00:00.000Z';

/** A short unique suffix. */
export const unique = (): string => randomUUID().slice(0, 8);

/** A ready work item of team `core`. */
export const aWorkItem = (overrides: Partial<WorkItem> = {}): WorkItem => ({
  id: `wi_${unique()}`,
  type: 'task',
  title: 'Write the thing',
  team: 'core',
  priority: Priority.Medium,
  businessValue: 50,
  requiredCapabilities: [],
  dependsOn: [],
  remainingDeps: [],
  dependents: [],
  maxAttempts: 3,
  attempts: 0,
  status: WorkStatus.Ready,
  progress: 0,
  urgency: 250,
  readyAt: T0,
  createdBy: { type: ActorType.Admin, id: 'admin' },
  version: 1,
  createdAt: T0,
  updatedAt: T0,
  ...overrides,
});

/** A claim held by `agentId`. */
export const aClaim = (agentId: string, overrides: Partial<WorkClaim> = {}): WorkClaim => ({
  agentId,
  token: `tok-${unique()}`,
  claimedAt: T0,
  leaseExpiresAt: '2026-03-02T09:05:00.000Z',
  holderLastHeartbeatAt: T0,
  holderHeartbeatIntervalSec: 30,
  ...overrides,
});

/** `item` claimed by `agentId` at the next version. */
export const claimed = (item: WorkItem, agentId: string, overrides: Partial<WorkClaim> = {}): WorkItem => ({
  ...item,
  status: WorkStatus.Claimed,
  claim: aClaim(agentId, overrides),
  version: item.version + 1,
});

/** An idle agent of team `core` with capacity 1. */
export const anAgent = (overrides: Partial<Agent> = {}): Agent => ({
  id: `agent-${unique()}`,
  team: 'core',
  capabilities: [],
  capacity: 1,
  heartbeatIntervalSec: 30,
  activeClaims: 0,
  lastHeartbeatAt: T0,
  stats: { claims: 0, completed: 0, failed: 0, leaseExpiries: 0, speedRatioSum: 0, speedSamples: 0 },
  version: 1,
  createdAt: T0,
  updatedAt: T0,
  ...overrides,
});

/** An audit event about a work item, by the admin. */
export const anEvent = (overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  id: `ev_${unique()}`,
  seq: 1,
  at: T0,
  actor: { type: ActorType.Admin, id: 'admin' },
  action: Action.WorkCreated,
  entityType: EntityType.Work,
  entityId: `wi_${unique()}`,
  ...overrides,
});
