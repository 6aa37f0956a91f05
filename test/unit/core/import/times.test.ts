import { describe, expect, it } from 'vitest';
import { latestOf, storedTime } from '#core/import/times';

describe('storedTime', () => {
  it('keeps the instant in the one UTC form the store keeps', () => {
    expect(storedTime('2026-02-21T14:38:04+02:00')).toBe('2026-02-21T12:38:04.000Z');
  });
});

describe('latestOf', () => {
  it('takes the latest instant wherever it stands, in stored form', () => {
    expect(latestOf('2026-02-21T12:00:00Z', '2026-02-20T12:00:00Z')).toBe('2026-02-21T12:00:00.000Z');
    expect(latestOf('2026-02-20T12:00:00Z', '2026-02-22T12:00:00Z', '2026-02-21T12:00:00Z')).toBe(
      '2026-02-22T12:00:00.000Z',
    );
    expect(latestOf('2026-02-21T13:00:00+02:00', '2026-02-21T12:00:00Z')).toBe('2026-02-21T12:00:00.000Z');
    expect(latestOf('2026-02-21T12:00:00Z')).toBe('2026-02-21T12:00:00.000Z');
  });
});
