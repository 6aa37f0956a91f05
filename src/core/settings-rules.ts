import { type FieldError, ValidationError } from './errors';
import type { Settings } from './settings';

/** A partial, nested settings object (what `PUT /v1/config` takes and what the store keeps). */
export type SettingsPatch = { [key: string]: unknown };

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `patch` merged into `base` recursively: objects merge key by key, anything else replaces. */
export const deepMerge = <T extends Record<string, unknown>>(base: T, patch: Record<string, unknown>): T => {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged as T;
};

/** Allowed ranges (API.md "More edge cases"); the JSON pointer of each field. */
const RANGES: readonly { path: string; min: number; max: number; integer?: boolean }[] = [
  { path: '/leaseSeconds', min: 5, max: 86_400, integer: true },
  { path: '/heartbeatTimeoutMultiple', min: 2, max: 10 },
  { path: '/defaultMaxAttempts', min: 1, max: 20, integer: true },
  { path: '/urgencyWeights/priority/critical', min: 0, max: 1000 },
  { path: '/urgencyWeights/priority/high', min: 0, max: 1000 },
  { path: '/urgencyWeights/priority/medium', min: 0, max: 1000 },
  { path: '/urgencyWeights/priority/low', min: 0, max: 1000 },
  { path: '/urgencyWeights/deadlineMax', min: 0, max: 1000 },
  { path: '/urgencyWeights/deadlineHorizonHours', min: 1, max: 1000 },
  { path: '/urgencyWeights/agingMax', min: 0, max: 1000 },
  { path: '/urgencyWeights/agingMinutesPerPoint', min: 1, max: 1000 },
  { path: '/ai/maxRequestsPerMinute', min: 0, max: 10_000, integer: true },
  { path: '/ai/maxTokens', min: 64, max: 8192, integer: true },
  { path: '/ai/timeoutMs', min: 1000, max: 120_000, integer: true },
  { path: '/ai/maxRetries', min: 0, max: 5, integer: true },
  { path: '/ai/dailyTokenBudget', min: 0, max: 100_000_000, integer: true },
  { path: '/ai/assessmentIntervalMinutes', min: 0, max: 1440, integer: true },
  { path: '/eventReplayHours', min: 1, max: 720, integer: true },
  { path: '/messageRetentionDays', min: 1, max: 3650, integer: true },
];

const at = (record: unknown, path: string): unknown =>
  path
    .split('/')
    .slice(1)
    .reduce<unknown>((node, key) => (isPlainObject(node) ? node[key] : undefined), record);

/** Every out-of-range or mistyped numeric field of a whole settings object. */
export const settingsErrors = (settings: Settings): FieldError[] =>
  RANGES.flatMap(({ path, min, max, integer }) => {
    const value = at(settings, path);
    const isValid =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      value >= min &&
      value <= max &&
      (!integer || Number.isInteger(value));
    return isValid
      ? []
      : [{ path, message: `must be ${integer ? 'an integer' : 'a number'} in ${min}..${max}` }];
  });

/**
 * The effective settings: `stored` merged deeply over `defaults`.
 * @throws ValidationError when the result has a field out of range.
 */
export const effectiveSettings = (defaults: Settings, stored: SettingsPatch | undefined): Settings => {
  const merged = stored ? deepMerge(defaults as unknown as Record<string, unknown>, stored) : defaults;
  const errors = settingsErrors(merged as unknown as Settings);
  if (errors.length > 0) throw new ValidationError(errors, 'The settings are not valid.');
  return merged as unknown as Settings;
};
