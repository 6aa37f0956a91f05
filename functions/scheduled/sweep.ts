import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { periodicAssessment } from '#app/use-cases/ai/assess-health';
import { checkInvariants } from '#app/use-cases/invariants';
import { type SweepCursors, type SweepReport, sweep } from '#app/use-cases/sweep';
import { logger, metrics } from '../shared/observability';
import { scheduledTask } from '../shared/scheduled';
import { deps } from '../shared/wiring';

// Where the rotating steps go on. A warm container keeps it between ticks (Lambda never runs two
// invocations in one container at once); a cold start begins again from the start, which costs
// a few repeated reads and nothing else.
let cursors: SweepCursors = {};
// When this container last asked for a health assessment (a cold start asks again at once).
let lastAssessedAt: Date | undefined;

const COUNTS = [
  'expiredLeases',
  'escalatedItems',
  'reviewedItems',
  'deadlineEscalations',
  'offlineAgents',
  'unblockedItems',
  'repairRequests',
  'settledEscalations',
] as const satisfies readonly (keyof SweepReport)[];

/**
 * The sweeper (every minute on AWS, every `COORD_SWEEP_INTERVAL_MS` locally): one bounded pass,
 * then a page of each invariant check (`GET /v1/invariants`), then Claude's health assessment
 * when one is due (`ai.assessmentIntervalMinutes`).
 */
export const handler = scheduledTask({
  task: 'sweep',
  run: async (_event, context) => {
    const report = await sweep(deps(), { runId: context.awsRequestId, cursors });
    cursors = report.cursors;
    // One per finished pass: the sweeper alarm treats a minute without it as the sweeper not running.
    metrics.addMetric('sweep.runs', MetricUnit.Count, 1);
    for (const name of COUNTS) metrics.addMetric(`sweep.${name}`, MetricUnit.Count, report[name]);
    logger.debug('Sweep pass done', { report });
    const violations = await checkInvariants(deps());
    for (const [name, count] of Object.entries(violations)) {
      const single = metrics.singleMetric();
      single.addDimension('invariant', name);
      single.addMetric('invariants.violations', MetricUnit.Count, count);
    }
    const assessment = await periodicAssessment(deps(), lastAssessedAt, context.awsRequestId);
    if (assessment) {
      lastAssessedAt = new Date(assessment.assessedAt);
      metrics.addMetric('sweep.aiAlerts', MetricUnit.Count, assessment.alerts);
    }
    return report;
  },
});
