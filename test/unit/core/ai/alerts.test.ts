import { describe, expect, it } from 'vitest';
import { alertEscalation, alertSubjectId, SYSTEM_TEAM } from '#core/ai/alerts';
import type { Finding } from '#core/ai/health';
import { changeContext, NOW } from '../builders';

const finding = (overrides: Partial<Finding> = {}): Finding => ({
  id: 'agent_offline_holding:a1',
  severity: 'critical',
  subject: 'agent:a1',
  message: 'a1 is offline holding 2 items',
  team: 'core',
  ...overrides,
});

describe('the id an alert is filed under', () => {
  it('is the work item a finding is about', () => {
    expect(alertSubjectId(finding({ id: 'f', subject: 'work:wi-7' }))).toBe('wi-7');
    expect(alertSubjectId(finding({ id: 'f', subject: 'work:wi:7.b_c' }))).toBe('wi:7.b_c');
  });

  it('is otherwise the finding id, with other characters made dashes and a leading one made x', () => {
    expect(alertSubjectId(finding())).toBe('agent_offline_holding:a1');
    expect(alertSubjectId(finding({ id: 'dlq depth/ops', subject: 'queue:ops' }))).toBe('dlq-depth-ops');
    expect(alertSubjectId(finding({ id: '_queue', subject: 'queue:q' }))).toBe('xqueue');
    expect(alertSubjectId(finding({ id: 'f', subject: 'a work:wi-7' }))).toBe('f');
    expect(alertSubjectId(finding({ id: 'f', subject: 'work:' }))).toBe('f');
    expect(alertSubjectId(finding({ id: 'f', subject: 'work:wi-7 x' }))).toBe('wi-7-x');
    expect(alertSubjectId(finding({ id: 'f', subject: 'work:wi-7\nx' }))).toBe('f');
  });
});

describe('the escalation an alert opens', () => {
  it('is open, number one of kind ai_alert, with the finding in its details, written only if new', () => {
    const decision = alertEscalation(finding(), 'assessment', changeContext());
    const escalation = {
      id: 'agent_offline_holding:a1~ai_alert~1',
      workId: 'agent_offline_holding:a1',
      team: 'core',
      kind: 'ai_alert',
      number: 1,
      status: 'open',
      openedAt: NOW.toISOString(),
      details: {
        findingId: 'agent_offline_holding:a1',
        severity: 'critical',
        subject: 'agent:a1',
        message: 'a1 is offline holding 2 items',
        source: 'assessment',
      },
      version: 1,
    };

    expect(decision.escalation).toStrictEqual(escalation);
    expect(decision.change.writes).toEqual([{ kind: 'escalation', escalation, expectedVersion: null }]);
    expect(decision.change.events).toMatchObject([
      { action: 'escalation', entityId: escalation.id, team: 'core' },
    ]);
  });

  it('belongs to the system team when the finding concerns no team', () => {
    const { team, ...noTeam } = finding();

    expect(SYSTEM_TEAM).toBe('system');
    expect(alertEscalation(noTeam, 'assessment', changeContext()).escalation.team).toBe('system');
  });
});
