/**
 * The shared guard in front of the model: a token bucket (requests per minute across every
 * function), a circuit breaker (consecutive failures open it for a cool-down, then one trial call
 * decides) and a daily token budget. Pure decisions over one stored state; the store adapter
 * keeps that state in one row, written conditionally, so every Lambda sees the same limits.
 */
import { FallbackReason } from './model';

/** Consecutive failed calls that open the breaker. */
export const BREAKER_THRESHOLD = 5;
/** How long the breaker stays open before one trial call is let through. */
export const BREAKER_COOLDOWN_MS = 30_000;

/** The stored state of the guard. */
export interface GateState {
  /** Requests left in the bucket (fractional: it refills continuously). */
  readonly tokens: number;
  /** When `tokens` was computed (epoch ms). */
  readonly refilledAt: number;
  /** Failed calls in a row. */
  readonly failures: number;
  /** While the breaker is open: until when (epoch ms). */
  readonly openUntil: number;
  /** The UTC day `spent` counts (`YYYY-MM-DD`). */
  readonly day: string;
  /** Tokens spent on `day`. */
  readonly spent: number;
}

/** The limits in force. */
export interface GateLimits {
  readonly maxRequestsPerMinute: number;
  readonly dailyTokenBudget: number;
}

/** What the guard decided about one call. */
export type Admission =
  | { readonly admitted: true; readonly next: GateState }
  | { readonly admitted: false; readonly reason: FallbackReason; readonly retryAfterMs?: number };

const dayOf = (now: number): string => new Date(now).toISOString().slice(0, 10);

/** The state before any call. */
export const initialGate = (now: number, limits: GateLimits): GateState => ({
  tokens: limits.maxRequestsPerMinute,
  refilledAt: now,
  failures: 0,
  openUntil: 0,
  day: dayOf(now),
  spent: 0,
});

/** Whether the breaker refuses calls at `now` (open and still cooling down). */
export const breakerOpen = (state: GateState, now: number): boolean =>
  state.failures >= BREAKER_THRESHOLD && now < state.openUntil;

/**
 * Decides whether a call may go now: budget first (a spent day stays spent), then the breaker
 * (after the cool-down one trial goes, and the breaker stays open for the others until it
 * answers), then one request from the bucket, which refills at `maxRequestsPerMinute / 60` a second.
 */
export const admit = (stored: GateState | undefined, now: number, limits: GateLimits): Admission => {
  const state = stored ?? initialGate(now, limits);
  const today = dayOf(now);
  const spent = state.day === today ? state.spent : 0;
  if (spent >= limits.dailyTokenBudget) return { admitted: false, reason: FallbackReason.BudgetSpent };
  if (breakerOpen(state, now)) {
    return { admitted: false, reason: FallbackReason.BreakerOpen, retryAfterMs: state.openUntil - now };
  }
  const capacity = limits.maxRequestsPerMinute;
  const perMs = capacity / 60_000;
  const tokens = Math.min(capacity, state.tokens + Math.max(0, now - state.refilledAt) * perMs);
  if (tokens < 1) {
    return {
      admitted: false,
      reason: FallbackReason.RateLimited,
      ...(perMs > 0 ? { retryAfterMs: Math.ceil((1 - tokens) / perMs) } : {}),
    };
  }
  const trial = state.failures >= BREAKER_THRESHOLD;
  return {
    admitted: true,
    next: {
      ...state,
      tokens: tokens - 1,
      refilledAt: now,
      day: today,
      spent,
      openUntil: trial ? now + BREAKER_COOLDOWN_MS : state.openUntil,
    },
  };
};

/** After a call answered: the breaker closes and its tokens count against the day's budget. */
export const succeeded = (state: GateState, now: number, tokensUsed: number): GateState => {
  const today = dayOf(now);
  return {
    ...state,
    failures: 0,
    openUntil: 0,
    day: today,
    spent: (state.day === today ? state.spent : 0) + tokensUsed,
  };
};

/** After a call failed (its retries spent): one more failure; at the threshold the breaker opens. */
export const failed = (state: GateState, now: number): GateState => {
  const failures = state.failures + 1;
  return { ...state, failures, openUntil: failures >= BREAKER_THRESHOLD ? now + BREAKER_COOLDOWN_MS : 0 };
};

/** Keeps the guard's state; every change is applied to what is stored now. */
export interface GateStore {
  /**
   * Applies `change` to the stored state (or `undefined` when none is stored) and stores the
   * result if the state did not change meanwhile, trying again a few times; returns what
   * `change` decided. `change` returns `undefined` state to store nothing.
   */
  update<T>(change: (state: GateState | undefined) => { state?: GateState; result: T }): Promise<T>;
}
