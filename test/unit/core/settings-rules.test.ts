import { describe, expect, it } from 'vitest';
import { type FieldError, ValidationError } from '#core/errors';
import { DEFAULT_SETTINGS, type Settings } from '#core/settings';
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

  it('keeps the base value where the patch holds undefined', () => {
    expect(deepMerge({ a: 1, b: { c: 2 } }, { a: undefined, b: { c: undefined } })).toStrictEqual({
      a: 1,
      b: { c: 2 },
    });
  });

  it('replaces an object with a scalar or null, and null or a scalar with an object', () => {
    expect(deepMerge({ a: { c: 2 }, b: { c: 2 } }, { a: 5, b: null })).toStrictEqual({ a: 5, b: null });
    expect(deepMerge({ a: null, b: 5 }, { a: { c: 2 }, b: { c: 3 } })).toStrictEqual({
      a: { c: 2 },
      b: { c: 3 },
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

  it('names the settings as not valid, with each field error', () => {
    let error: unknown;
    try {
      effectiveSettings(DEFAULT_SETTINGS, { leaseSeconds: 1 });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe('The settings are not valid.');
    expect((error as ValidationError).details).toStrictEqual({
      errors: [{ path: '/leaseSeconds', message: 'must be an integer in 5..86400' }],
    });
  });
});

/** The settings with one field (a JSON pointer) set to `value`. */
const withField = (path: string, value: unknown): Settings => {
  const keys = path.split('/').slice(1);
  const patch = keys.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<
    string,
    unknown
  >;
  return deepMerge(DEFAULT_SETTINGS as unknown as Record<string, unknown>, patch) as unknown as Settings;
};

// API.md "More edge cases": every numeric setting, its range and whether it must be whole.
describe.each<[string, number, number, boolean]>([
  ['/leaseSeconds', 5, 86_400, true],
  ['/heartbeatTimeoutMultiple', 2, 10, false],
  ['/defaultMaxAttempts', 1, 20, true],
  ['/urgencyWeights/priority/critical', 0, 1000, false],
  ['/urgencyWeights/priority/high', 0, 1000, false],
  ['/urgencyWeights/priority/medium', 0, 1000, false],
  ['/urgencyWeights/priority/low', 0, 1000, false],
  ['/urgencyWeights/deadlineMax', 0, 1000, false],
  ['/urgencyWeights/deadlineHorizonHours', 1, 1000, false],
  ['/urgencyWeights/agingMax', 0, 1000, false],
  ['/urgencyWeights/agingMinutesPerPoint', 1, 1000, false],
  ['/ai/maxRequestsPerMinute', 0, 10_000, true],
  ['/ai/maxTokens', 64, 8192, true],
  ['/ai/timeoutMs', 1000, 120_000, true],
  ['/ai/maxRetries', 0, 5, true],
  ['/ai/dailyTokenBudget', 0, 100_000_000, true],
  ['/ai/assessmentIntervalMinutes', 0, 1440, true],
  ['/eventReplayHours', 1, 720, true],
  ['/messageRetentionDays', 1, 3650, true],
])('the setting %s', (path, min, max, integer) => {
  const refusal: FieldError[] = [
    { path, message: `must be ${integer ? 'an integer' : 'a number'} in ${min}..${max}` },
  ];

  it(`accepts both ends of ${min}..${max}`, () => {
    expect(settingsErrors(withField(path, min))).toStrictEqual([]);
    expect(settingsErrors(withField(path, max))).toStrictEqual([]);
  });

  it('refuses a value just outside either end, saying the range', () => {
    expect(settingsErrors(withField(path, min - 0.5))).toStrictEqual(refusal);
    expect(settingsErrors(withField(path, max + 0.5))).toStrictEqual(refusal);
  });

  it(integer ? 'refuses a fraction within the range' : 'accepts a fraction within the range', () => {
    expect(settingsErrors(withField(path, min + 0.5))).toStrictEqual(integer ? refusal : []);
  });

  it.each([
    ['a numeric string', String(min)],
    ['null', null],
    ['NaN', Number.NaN],
    ['infinity', Number.POSITIVE_INFINITY],
  ])('refuses %s', (_name, value) => {
    expect(settingsErrors(withField(path, value))).toStrictEqual(refusal);
  });
});

describe('settingsErrors', () => {
  it('refuses every field under a group stored as null', () => {
    expect(settingsErrors(withField('/ai', null)).map((error) => error.path)).toEqual([
      '/ai/maxRequestsPerMinute',
      '/ai/maxTokens',
      '/ai/timeoutMs',
      '/ai/maxRetries',
      '/ai/dailyTokenBudget',
      '/ai/assessmentIntervalMinutes',
    ]);
  });
});
