import type { Priority } from './work/status';

/** Weights of the urgency formula (API.md "Urgency"). */
export interface UrgencyWeights {
  readonly priority: Readonly<Record<Priority, number>>;
  /** Deadline pressure at (or past) the deadline. */
  readonly deadlineMax: number;
  /** Pressure starts this many hours before the deadline. */
  readonly deadlineHorizonHours: number;
  readonly agingMax: number;
  readonly agingMinutesPerPoint: number;
}

/** Settings of the AI features. */
export interface AiSettings {
  readonly enabled: boolean;
  readonly model: string;
  /** Requests to Claude per minute, shared by every function (a token bucket in the store). */
  readonly maxRequestsPerMinute: number;
  /** Largest answer of one Claude call, in tokens. */
  readonly maxTokens: number;
  /** How long one Claude call may take before it counts as failed. */
  readonly timeoutMs: number;
  /** Retries of one call after a 429, 5xx or overloaded answer (jittered backoff, `retry-after` honoured). */
  readonly maxRetries: number;
  /** Input plus output tokens all AI features may spend per UTC day; past it answers come from the heuristic. */
  readonly dailyTokenBudget: number;
  /** How often the sweeper asks for a health assessment; 0 turns it off. */
  readonly assessmentIntervalMinutes: number;
}

/** What claims do about declared `paths` that overlap those of an item in flight in the same team. */
export const PATHS_POLICIES = ['off', 'warn', 'block'] as const;

/** `off`: not checked; `warn`: the claim succeeds with a warning; `block`: the item is not handed out. */
export type PathsPolicy = (typeof PATHS_POLICIES)[number];

/** The key of `pathOverlap` that sets the policy of every team without an entry of its own. */
export const ALL_TEAMS = '*';

/** How GitHub issues become work items; without `team` no issue does. */
export interface GithubSettings {
  /** The team the items are created in. @default none: issue events are answered and ignored */
  readonly team?: string;
  /** Labels that make an issue a work item (any one of them). @default none: no issue does */
  readonly labels: string[];
  /** Issue label -> item priority; the most urgent match wins, `medium` without one. */
  readonly priorityLabels: Readonly<Record<string, Priority>>;
  /** The items' `type`. @default `github-issue` */
  readonly type: string;
  /** Capabilities the items require. @default none */
  readonly capabilities: string[];
}

/** Runtime settings an admin can change with `PUT /v1/config`. */
export interface Settings {
  readonly leaseSeconds: number;
  readonly heartbeatTimeoutMultiple: number;
  readonly defaultMaxAttempts: number;
  readonly urgencyWeights: UrgencyWeights;
  readonly ai: AiSettings;
  /** The overlap policy per team name, and for every other team under `ALL_TEAMS` (`off` without it). */
  readonly pathOverlap: Readonly<Record<string, PathsPolicy>>;
  /** How far back a client may resume live events from its cursor (`after`), in hours. */
  readonly eventReplayHours: number;
  /** How long a message is kept after it was posted, in days (its rows' TTL). */
  readonly messageRetentionDays: number;
  /** Which GitHub issues become work items (`POST /v1/integrations/github`). */
  readonly github: GithubSettings;
}

/** API.md's defaults. */
export const DEFAULT_SETTINGS: Settings = {
  leaseSeconds: 300,
  heartbeatTimeoutMultiple: 3,
  defaultMaxAttempts: 3,
  urgencyWeights: {
    priority: { critical: 400, high: 300, medium: 200, low: 100 },
    deadlineMax: 300,
    deadlineHorizonHours: 48,
    agingMax: 100,
    agingMinutesPerPoint: 10,
  },
  ai: {
    enabled: true,
    model: 'claude-sonnet-5-5',
    maxRequestsPerMinute: 30,
    maxTokens: 1024,
    timeoutMs: 20_000,
    maxRetries: 2,
    dailyTokenBudget: 500_000,
    assessmentIntervalMinutes: 60,
  },
  pathOverlap: { [ALL_TEAMS]: 'off' },
  eventReplayHours: 24,
  messageRetentionDays: 30,
  github: {
    labels: [],
    priorityLabels: { P0: 'critical', P1: 'high', P2: 'medium', P3: 'low' },
    type: 'github-issue',
    capabilities: [],
  },
};
