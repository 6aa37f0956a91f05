import { describe, expect, it } from 'vitest';
import { addSeconds, epochMs, hoursBetween, isBefore, minutesBetween, secondsBetween } from '#core/time';

describe('time', () => {
  it('adds seconds to an ISO timestamp', () => {
    expect(addSeconds('2026-01-01T00:00:00.000Z', 90)).toBe('2026-01-01T00:01:30.000Z');
  });

  it('measures signed spans in seconds, minutes and hours', () => {
    const from = '2026-01-01T00:00:00.000Z';
    const to = '2026-01-01T03:00:00.000Z';
    expect(secondsBetween(from, to)).toBe(10_800);
    expect(minutesBetween(from, to)).toBe(180);
    expect(hoursBetween(to, from)).toBe(-3);
  });

  it('tells whether a time lies strictly before another', () => {
    expect(isBefore('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.001Z')).toBe(true);
    expect(isBefore('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')).toBe(false);
  });

  it('reads a date and its ISO timestamp to the same millisecond', () => {
    const at = new Date('2026-03-02T09:00:10.123Z');

    expect(epochMs(at)).toBe(at.getTime());
    expect(epochMs('2026-03-02T09:00:10.123Z')).toBe(at.getTime());
  });
});
