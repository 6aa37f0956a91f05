import { type Assessment, assess, type Finding, healthFindings, type QueueDepth } from '#core/ai/health';
import { DATA_RULES, quoteData } from '#core/ai/quote';
import type { Snapshot } from '#core/ai/snapshot';
import { teamFigures } from '#core/ai/tools';
import type { Settings } from '#core/settings';
import { type AiHealthReply, ModelAssessment } from '../../schemas/ai';
import { currentSettings } from '../../settings';
import { type AiDeps, callSettings, claudeOrHeuristic, readSnapshot, toolInput } from './shared';

/** Depth of the service's queues and their dead-letter queues (absent: not known here). */
export type QueueDepths = () => Promise<readonly QueueDepth[]>;

/** What the assessment reads. */
export type HealthDeps = AiDeps & { readonly queueDepths?: QueueDepths };

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
  const answer = toolInput<ModelAssessment>(reply, TOOL, ModelAssessment);
  return { ...assess(answer.findings), summary: answer.summary };
};

/**
 * The health assessment behind `GET /v1/ai/health` and the sweeper's periodic one: findings from
 * agents, teams, work, escalations and dead-letter queues; Claude reviews them (keeping, adding,
 * re-grading) or, when it cannot, the heuristic's findings stand. Alerts are the critical findings.
 */
export const assessHealth = async (deps: HealthDeps): Promise<AiHealthReply> => {
  const settings = await currentSettings(deps);
  const [snapshot, queues] = await Promise.all([readSnapshot(deps, settings), deps.queueDepths?.() ?? []]);
  const findings = healthFindings(snapshot, queues);
  const answer = await claudeOrHeuristic(
    settings,
    () => askModel(deps, settings, snapshot, findings, queues),
    () => assess(findings),
  );
  return {
    ...answer,
    findings: [...answer.findings],
    alerts: [...answer.alerts],
    assessedAt: snapshot.now.toISOString(),
  };
};
