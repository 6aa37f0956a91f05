/**
 * An alert of the health assessment becomes an escalation of kind `ai_alert`, once per finding:
 * its id is fixed by the finding (`<subject>~ai_alert~1`), and it is written only if it does not
 * exist, so a finding that lasts through many assessments opens one escalation.
 */
import type { ChangeContext } from '../audit';
import { type EscalationDecision, openingOf } from '../escalations/decisions';
import { type Escalation, EscalationKind, EscalationStatus, escalationId } from '../escalations/escalation';
import type { Finding } from './health';

/** The team of escalations about no team in particular (dead letters, no agent at all). */
export const SYSTEM_TEAM = 'system';

/** The id an alert's escalation is filed under: the work item it is about, else the finding id. */
export const alertSubjectId = (finding: Finding): string => {
  const work = /^work:(.+)$/.exec(finding.subject)?.[1];
  return (work ?? finding.id).replace(/[^A-Za-z0-9_.:-]/g, '-').replace(/^[^A-Za-z0-9]/, 'x');
};

/** The escalation an alert opens and the change that stores it (conditional: only if new). */
export const alertEscalation = (finding: Finding, source: string, ctx: ChangeContext): EscalationDecision => {
  const workId = alertSubjectId(finding);
  const escalation: Escalation = {
    id: escalationId(workId, EscalationKind.AiAlert, 1),
    workId,
    team: finding.team ?? SYSTEM_TEAM,
    kind: EscalationKind.AiAlert,
    number: 1,
    status: EscalationStatus.Open,
    openedAt: ctx.now.toISOString(),
    details: {
      findingId: finding.id,
      severity: finding.severity,
      subject: finding.subject,
      message: finding.message,
      source,
    },
    version: 1,
  };
  return openingOf(escalation, ctx);
};
