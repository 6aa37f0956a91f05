import { describe, expect, it } from 'vitest';
import {
  type Admission,
  admit,
  BREAKER_COOLDOWN_MS,
  BREAKER_THRESHOLD,
  breakerOpen,
  failed,
  type GateState,
  succeeded,
} from '#core/ai/gate';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const LIMITS = { maxRequestsPerMinute: 2, dailyTokenBudget: 1000 };

const next = (admission: Admission): GateState => {
  if (!admission.admitted) throw new Error(`refused: ${admission.reason}`);
  return admission.next;
};

describe('the AI guard', () => {
  it('lets maxRequestsPerMinute calls through, then refuses until the bucket refills', () => {
    const one = next(admit(undefined, T0, LIMITS));
    const two = next(admit(one, T0, LIMITS));

    expect(admit(two, T0, LIMITS)).toMatchObject({
      admitted: false,
      reason: 'rate_limited',
      retryAfterMs: 30_000,
    });
    expect(admit(two, T0 + 30_000, LIMITS).admitted).toBe(true);
  });

  it('opens the breaker at the threshold, lets one trial through after the cool-down, and closes on success', () => {
    let state = next(admit(undefined, T0, { ...LIMITS, maxRequestsPerMinute: 100 }));
    for (let i = 0; i < BREAKER_THRESHOLD; i += 1) state = failed(state, T0);

    expect(admit(state, T0 + 1, LIMITS)).toMatchObject({ admitted: false, reason: 'breaker_open' });
    const trial = next(admit(state, T0 + BREAKER_COOLDOWN_MS, LIMITS));
    expect(admit(trial, T0 + BREAKER_COOLDOWN_MS + 1, LIMITS)).toMatchObject({ reason: 'breaker_open' });
    expect(
      admit(succeeded(trial, T0 + BREAKER_COOLDOWN_MS, 10), T0 + BREAKER_COOLDOWN_MS + 1, LIMITS).admitted,
    ).toBe(true);
  });

  it('refuses once the day budget is spent, and starts again the next UTC day', () => {
    const spent = succeeded(next(admit(undefined, T0, LIMITS)), T0, 1000);

    expect(admit(spent, T0 + 60_000, LIMITS)).toMatchObject({ admitted: false, reason: 'budget_spent' });
    expect(admit(spent, T0 + 86_400_000, LIMITS).admitted).toBe(true);
  });
});

describe('the AI guard, in detail', () => {
  it('starts with a full bucket and takes one token, the breaker closed and nothing spent', () => {
    expect(admit(undefined, T0, LIMITS)).toStrictEqual({
      admitted: true,
      next: { tokens: 1, refilledAt: T0, failures: 0, openUntil: 0, day: '2026-03-02', spent: 0 },
    });
  });

  it('refills the bucket at maxRequestsPerMinute a minute and says how long until the next whole token', () => {
    const empty = next(admit(next(admit(undefined, T0, LIMITS)), T0, LIMITS));

    // 15 s refill half a token at 2 a minute: 15 s more to a whole one.
    expect(admit(empty, T0 + 15_000, LIMITS)).toStrictEqual({
      admitted: false,
      reason: 'rate_limited',
      retryAfterMs: 15_000,
    });
  });

  it('gives no retry time when no request may ever go', () => {
    expect(admit(undefined, T0, { ...LIMITS, maxRequestsPerMinute: 0 })).toStrictEqual({
      admitted: false,
      reason: 'rate_limited',
    });
  });

  it('says how long the breaker stays open', () => {
    let state = next(admit(undefined, T0, LIMITS));
    for (let i = 0; i < BREAKER_THRESHOLD; i += 1) state = failed(state, T0);

    expect(admit(state, T0 + 10_000, LIMITS)).toStrictEqual({
      admitted: false,
      reason: 'breaker_open',
      retryAfterMs: BREAKER_COOLDOWN_MS - 10_000,
    });
  });

  it('leaves the breaker closed below the threshold, whatever time it was last open until', () => {
    const one = failed(next(admit(undefined, T0, LIMITS)), T0);

    expect(one).toMatchObject({ failures: 1, openUntil: 0 });
    expect(breakerOpen({ ...one, openUntil: T0 + 60_000 }, T0)).toBe(false);
    expect(breakerOpen({ ...one, failures: BREAKER_THRESHOLD, openUntil: T0 + 60_000 }, T0)).toBe(true);
  });

  it('adds a call’s tokens to the day’s budget, counting from zero on a new UTC day', () => {
    const first = succeeded(next(admit(undefined, T0, LIMITS)), T0, 300);

    expect(first).toMatchObject({ day: '2026-03-02', spent: 300 });
    expect(succeeded(first, T0 + 60_000, 200)).toMatchObject({ day: '2026-03-02', spent: 500 });
    expect(succeeded(first, T0 + 86_400_000, 200)).toMatchObject({ day: '2026-03-03', spent: 200 });
  });
});
