import { describe, expect, it } from 'vitest';
import { ValidationError } from '#core/errors';
import { DEFAULT_SETTINGS } from '#core/settings';
import { deepMerge, effectiveSettings, settingsErrors } from '#core/settings-rules';

describe('deepMerge', () => {
  it('merges nested objects key by key and replaces everything else', () => {
    expect(deepMerge({ a: 1, b: { c: 2, d: 3 }, e: [1] }, { b: { d: 4 }, e: [2], f: 5 })).toEqual({
      a: 1,
      b: { c: 2, d: 4 },
      e: [2],
      f: 5,
    });
  });
});

describe('effectiveSettings', () => {
  it('is the defaults when nothing is stored', () => {
    expect(effectiveSettings(DEFAULT_SETTINGS, undefined)).toEqual(DEFAULT_SETTINGS);
  });

  it('merges stored settings deeply over the defaults', () => {
    const merged = effectiveSettings(DEFAULT_SETTINGS, {
      leaseSeconds: 60,
      urgencyWeights: { priority: { low: 5 } },
    });
    expect(merged.leaseSeconds).toBe(60);
    expect(merged.urgencyWeights.priority).toEqual({ critical: 400, high: 300, medium: 200, low: 5 });
    expect(merged.urgencyWeights.deadlineMax).toBe(300);
  });

  it('refuses out-of-range values, naming each field', () => {
    expect(() => effectiveSettings(DEFAULT_SETTINGS, { leaseSeconds: 1 })).toThrow(ValidationError);
    expect(
      settingsErrors({
        ...DEFAULT_SETTINGS,
        heartbeatTimeoutMultiple: 11,
        urgencyWeights: { ...DEFAULT_SETTINGS.urgencyWeights, agingMinutesPerPoint: 0 },
      }).map((e) => e.path),
    ).toEqual(['/heartbeatTimeoutMultiple', '/urgencyWeights/agingMinutesPerPoint']);
  });
});
