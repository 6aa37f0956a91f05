import { describe, expect, it } from 'vitest';
import {
  agentIdFor,
  normalizeTimestamp,
  teamFor,
  timeFromLegacyId,
  workIdFor,
} from '../../../../cli/legacy/fields';
import { capacityFor } from '../../../../cli/legacy/map-agents';

describe('normalizeTimestamp', () => {
  it('keeps UTC times with or without a fraction', () => {
    expect(normalizeTimestamp('2026-11-21T12:38:03Z')).toBe('2026-11-21T12:38:03Z');
    expect(normalizeTimestamp('2026-11-21T12:38:03.9012Z')).toBe('2026-11-21T12:38:03.9012Z');
  });

  it('drops the literal N that BSD date leaves in a fraction', () => {
    expect(normalizeTimestamp('2025-06-15T17:35:33.3NZ')).toBe('2025-06-15T17:35:33Z');
  });

  it('converts an offset to UTC', () => {
    expect(normalizeTimestamp('2026-11-21T14:38:03+02:00')).toBe('2026-11-21T12:38:03.000Z');
  });

  it('refuses words, dates without time and impossible dates', () => {
    for (const value of ['yesterday', '2026-11-21', '2026-02-31T00:00:00Z', '']) {
      expect(normalizeTimestamp(value)).toBeUndefined();
    }
  });
});

describe('timeFromLegacyId', () => {
  it('reads the nanosecond clock in script-made ids', () => {
    expect(timeFromLegacyId('agent_1795250283409565600')).toBe('2026-11-21T08:38:03.409Z');
    expect(timeFromLegacyId('work_optimization_1750057307662627000')).toBe('2025-06-16T07:01:47.662Z');
  });

  it('gives nothing for ids without one', () => {
    expect(timeFromLegacyId('agent_seed_0')).toBeUndefined();
    expect(timeFromLegacyId('agent_1750N')).toBeUndefined();
  });
});

describe('id rules', () => {
  it('keeps valid ids', () => {
    expect(agentIdFor('agent_1795250283409565600')).toBe('agent_1795250283409565600');
    expect(workIdFor('w1')).toBe('w1');
  });

  it('rewrites invalid ids the same way every time, keeping them apart', () => {
    expect(agentIdFor('ab')).toMatch(/^legacy\.ab\.[0-9a-f]{8}$/);
    expect(agentIdFor('')).toMatch(/^legacy\.[0-9a-f]{8}$/);
    expect(agentIdFor('a b')).toBe(agentIdFor('a b'));
    expect(agentIdFor('a b')).not.toBe(agentIdFor('a_b'));
    expect(agentIdFor('x'.repeat(200)).length).toBeLessThanOrEqual(128);
  });

  it('makes a team name of any text', () => {
    expect(teamFor('platform_team')).toBe('platform_team');
    expect(teamFor(' my team')).toBe('my_team');
    expect(teamFor(undefined)).toBe('autonomous_team');
    expect(teamFor('!!!')).toBe('autonomous_team');
  });
});

describe('capacityFor', () => {
  it('scales the percentage to the claims of a full agent, rounding up', () => {
    expect(capacityFor(100, 0, 5)).toBe(5);
    expect(capacityFor(50, 0, 5)).toBe(3);
    expect(capacityFor(1, 0, 5)).toBe(1);
  });

  it('counts a missing percentage as the legacy default of 100', () => {
    expect(capacityFor(undefined, 0, 5)).toBe(5);
  });

  it('never gives less than the claims held, nor less than 1 or more than 100', () => {
    expect(capacityFor(50, 4, 5)).toBe(4);
    expect(capacityFor(0, 0, 5)).toBe(1);
    expect(capacityFor(-5, 0, 5)).toBe(1);
    expect(capacityFor(150, 200, 5)).toBe(100);
  });
});
