import type { ChangeContext } from '#core/audit';
import { type Escalation, escalationId } from '#core/escalations/escalation';
import type { Agent, WorkItem } from '#core/model';
import { DEFAULT_SETTINGS, type Settings } from '#core/settings';
import type { WorkContext } from '#core/work/write';

/** The fixed "now" of every core test. */
export const NOW = new Date('2026-03-02T12:00:00.000Z');

/** ISO time `minutes` after (or before, negative) NOW. */
export const minutesFromNow = (minutes: number, from: Date = NOW): string =>
  new Date(from.getTime() + minutes * 60_000).toISOString();

/** Sequential ids, so events are predictable. */
export const seededIds = (prefix = 'ev') => {
  let next = 0;
  return {
    eventId: () => {
      next += 1;
      return `${prefix}-${next}`;
    },
  };
};

/** A change context at `now` acting as the admin. */
export const changeContext = (overrides: Partial<ChangeContext> = {}): ChangeContext => ({
  now: NOW,
  actor: { type: 'admin', id: 'admin' },
  requestId: 'req-1',
  ids: seededIds(),
  ...overrides,
});

/** A work context at `now` with the default settings. */
export const workContext = (overrides: Partial<WorkContext> & { settings?: Settings } = {}): WorkContext => ({
  ...changeContext(overrides),
  settings: DEFAULT_SETTINGS,
  ...overrides,
});

/** A ready work item of team `core`, created an hour ago. */
export const aWorkItem = (overrides: Partial<WorkItem> = {}): WorkItem => ({
  id: 'wi-1',
  type: 'build',
  title: 'Build the thing',
  team: 'core',
  priority: 'medium',
  businessValue: 50,
  requiredCapabilities: [],
  dependsOn: [],
  remainingDeps: [],
  dependents: [],
  maxAttempts: 3,
  attempts: 0,
  status: 'ready',
  progress: 0,
  urgency: 250,
  readyAt: minutesFromNow(-60),
  createdBy: { type: 'admin', id: 'admin' },
  version: 1,
  createdAt: minutesFromNow(-60),
  updatedAt: minutesFromNow(-60),
  ...overrides,
});

/** An idle agent of team `core` with capacity 1 that heartbeated just now. */
export const anAgent = (overrides: Partial<Agent> = {}): Agent => ({
  id: 'agent-a',
  team: 'core',
  capabilities: [],
  capacity: 1,
  heartbeatIntervalSec: 30,
  activeClaims: 0,
  lastHeartbeatAt: NOW.toISOString(),
  tokenId: 'tok-a',
  stats: { claims: 0, completed: 0, failed: 0, leaseExpiries: 0, speedRatioSum: 0, speedSamples: 0 },
  version: 1,
  createdAt: minutesFromNow(-120),
  updatedAt: minutesFromNow(-120),
  ...overrides,
});

/** The item as held by `agent` with `token`, claimed `minutesAgo` minutes ago with a 5 min lease. */
export const aClaimedItem = (
  agentId = 'agent-a',
  token = 'token-1',
  overrides: Partial<WorkItem> = {},
  minutesAgo = 1,
): WorkItem =>
  aWorkItem({
    status: 'claimed',
    readyAt: undefined,
    version: 2,
    claim: {
      agentId,
      token,
      claimedAt: minutesFromNow(-minutesAgo),
      leaseExpiresAt: minutesFromNow(5 - minutesAgo),
      holderLastHeartbeatAt: minutesFromNow(-minutesAgo),
      holderHeartbeatIntervalSec: 30,
    },
    ...overrides,
  });

/** An open escalation of `wi-1` (team `core`), opened ten minutes ago; its id follows its kind and number. */
export const anEscalation = (overrides: Partial<Escalation> = {}): Escalation => {
  const kind = overrides.kind ?? 'retries_exhausted';
  return {
    id: escalationId('wi-1', kind, overrides.number ?? 1),
    workId: 'wi-1',
    team: 'core',
    kind,
    number: 1,
    status: 'open',
    openedAt: minutesFromNow(-10),
    details: {},
    version: 1,
    ...overrides,
  };
};
