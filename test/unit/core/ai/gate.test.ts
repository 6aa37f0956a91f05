import { describe, expect, it } from 'vitest';
import {
  type Admission,
  admit,
  BREAKER_COOLDOWN_MS,
  BREAKER_THRESHOLD,
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
