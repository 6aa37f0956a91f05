import type { AgentViewSchema, ClaimView, WorkView } from '#app/schemas/views';

/** A work item as the API shows it. */
export const workView = (overrides: Partial<WorkView> = {}): WorkView => ({
  id: 'wi_01',
  type: 'build',
  title: 'Build the thing',
  team: 'platform_team',
  priority: 'medium',
  businessValue: 50,
  requiredCapabilities: [],
  dependsOn: [],
  blockedBy: [],
  maxAttempts: 3,
  attempts: 0,
  status: 'ready',
  progress: 0,
  urgency: 250,
  createdBy: { type: 'agent', id: 'agent_a' },
  version: 1,
  createdAt: '2026-11-26T09:00:00.000Z',
  updatedAt: '2026-11-26T09:00:00.000Z',
  ...overrides,
});

/** A claim reply for an item. */
export const claimView = (id: string, token: string, agentId = 'agent_a'): ClaimView => ({
  item: workView({
    id,
    status: 'claimed',
    claim: { agentId, claimedAt: '2026-11-26T10:00:00.000Z', leaseExpiresAt: '2026-11-26T10:05:00.000Z' },
  }),
  claim: { token, leaseExpiresAt: '2026-11-26T10:05:00.000Z' },
});

/** An agent as the API shows it. */
export const agentView = (overrides: Partial<AgentViewSchema> = {}): AgentViewSchema => ({
  id: 'agent_a',
  team: 'platform_team',
  capabilities: [],
  capacity: 1,
  heartbeatIntervalSec: 30,
  activeClaims: 0,
  lastHeartbeatAt: '2026-11-26T10:00:00.000Z',
  status: 'idle',
  health: { score: 100, reasons: [] },
  version: 1,
  createdAt: '2026-11-26T10:00:00.000Z',
  updatedAt: '2026-11-26T10:00:00.000Z',
  ...overrides,
});

/** The API's error body. */
export const apiError = (code: string, message: string, details: Record<string, unknown> = {}) => ({
  error: { code, message, details },
});
