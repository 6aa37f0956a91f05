import { alertEscalation } from '#core/ai/alerts';
import { type Assessment, assess, type Finding, healthFindings, type QueueDepth } from '#core/ai/health';
import { DATA_RULES, quoteData } from '#core/ai/quote';
import { type Snapshot, teamOfSubject } from '#core/ai/snapshot';
import { teamFigures } from '#core/ai/tools';
import { type Ports, WriteConflict } from '#core/ports';
import type { Settings } from '#core/settings';
import { type AiHealthReply, ModelAssessment } from '../../schemas/ai';
import { currentSettings } from '../../settings';
import { systemContext } from '../shared/escalations';
import { type AiDeps, callSettings, claudeOrHeuristic, readSnapshot, toolCheck, toolInput } from './shared';

/** Depth of the service's queues and their dead-letter queues (absent: not known here). */
export type QueueDepths = () => Promise<readonly QueueDepth[]>;

/** What the assessment reads, and writes (an `ai_alert` escalation per new alert). */
export type HealthDeps = AiDeps & Pick<Ports, 'ids' | 'uow'> & { readonly queueDepths?: QueueDepths };

const CHECK = toolCheck(ModelAssessment);
const TOOL = 'submit_assessment';

const SYSTEM = `${DATA_RULES}
Task: assess the health of the service from the figures and the heuristic's findings (given as quoted data). Keep every heuristic finding that still holds with its id, add findings the figures show (ids starting with "ai:"), set severity "critical" only for what needs a person now, and write a two-sentence summary. Answer only by calling ${TOOL}.`;

const askModel = async (
  deps: AiDeps,
  settings: Settings,
  snapshot: Snapshot,
  findings: readonly Finding[],
  queues: readonly QueueDepth[],
): Promise<Assessment & { summary: string }> => {
  const reply = await deps.ai.complete(
    {
      purpose: 'health',
      system: SYSTEM,
      messages: [
        {
          role: 'user',
          content: `${quoteData('state', { now: snapshot.now.toISOString(), teams: teamFigures(snapshot), queues, findings })}\nAssess.`,
        },
      ],
      tools: [
        {
          name: TOOL,
          description: 'Submit the assessment.',
          inputSchema: ModelAssessment as unknown as Record<string, unknown>,
        },
      ],
      forceTool: TOOL,
    },
    callSettings(settings),
  );
  const answer = toolInput<ModelAssessment>(reply, TOOL, CHECK);
  const reviewed = answer.findings.map((finding) => {
    const team = teamOfSubject(snapshot, finding.subject);
    return team ? { ...finding, team } : finding;
  });
  return { ...assess(reviewed), summary: answer.summary };
};

/**
 * Opens an `ai_alert` escalation for each alert that has none yet (once per finding: the write is
 * conditional on the escalation not existing). Returns how many were opened.
 */
export const escalateAlerts = async (
  deps: Pick<Ports, 'clock' | 'ids' | 'uow'>,
  alerts: readonly Finding[],
  source: string,
  requestId?: string,
): Promise<number> => {
  let opened = 0;
  for (const alert of alerts) {
    try {
      await deps.uow.commit(alertEscalation(alert, source, systemContext(deps, requestId)).change);
      opened += 1;
    } catch (error) {
      // It exists already: this finding was escalated by an earlier assessment.
      if (!(error instanceof WriteConflict)) throw error;
    }
  }
  return opened;
};

/**
 * The health assessment behind `GET /v1/ai/health` and the sweeper's periodic one: findings from
 * agents, teams, work, escalations and dead-letter queues; Claude reviews them (keeping, adding,
 * re-grading) or, when it cannot, the heuristic's findings stand. Alerts are the critical findings,
 * and each opens an `ai_alert` escalation once.
 */
export const assessHealth = async (deps: HealthDeps, requestId?: string): Promise<AiHealthReply> => {
  const settings = await currentSettings(deps);
  const [snapshot, queues] = await Promise.all([readSnapshot(deps, settings), deps.queueDepths?.() ?? []]);
  const findings = healthFindings(snapshot, queues);
  const answer = await claudeOrHeuristic(
    settings,
    () => askModel(deps, settings, snapshot, findings, queues),
    () => assess(findings),
  );
  await escalateAlerts(deps, answer.alerts, answer.source, requestId);
  return {
    ...answer,
    findings: [...answer.findings],
    alerts: [...answer.alerts],
    assessedAt: snapshot.now.toISOString(),
  };
};

/**
 * The sweeper's periodic assessment: when Claude can be used (a key, AI enabled, an interval set)
 * and the last one is older than `assessmentIntervalMinutes`, assess (and escalate new alerts).
 * Without a key it does not run (its point is Claude's review within the day's token budget); the
 * heuristic's findings and alerts are still served, and escalated, by `GET /v1/ai/health`.
 * Returns the time of the assessment made, if one was.
 */
export const periodicAssessment = async (
  deps: HealthDeps,
  lastAssessedAt: Date | undefined,
  requestId?: string,
): Promise<{ assessedAt: string; alerts: number; source: string } | undefined> => {
  const settings = await currentSettings(deps);
  const { enabled, assessmentIntervalMinutes } = settings.ai;
  const now = deps.clock.now();
  if (!enabled || assessmentIntervalMinutes === 0) return undefined;
  if (lastAssessedAt && now.getTime() - lastAssessedAt.getTime() < assessmentIntervalMinutes * 60_000)
    return undefined;
  if (await deps.ai.missingKey()) return undefined;
  const answer = await assessHealth(deps, requestId);
  return { assessedAt: answer.assessedAt, alerts: answer.alerts.length, source: answer.source };
};
