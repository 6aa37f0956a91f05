import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TABLES } from '#adapters/dynamo/tables';
import { PROJECT_ROOT } from '../../lib/constructs/coord-function';
import {
  ALARM_CUSTOM_METRICS,
  DASHBOARD_CUSTOM_METRICS,
  HEARTBEAT_LAG_ALARM_MS,
  METRICS_NAMESPACE,
  queueAgeRunbookEntry,
} from '../../lib/stacks/observability-stack';
import { logicalIdOf, synthesize } from './support/synth';

/** Every metric name the handlers emit, as a pattern: `addMetric('x'`, `addMetric(\`http${...}xx\`` or a choice of two. */
const emittedMetricPatterns = (): RegExp[] => {
  const sources = readdirSync(join(PROJECT_ROOT, 'functions'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => readFileSync(join(PROJECT_ROOT, 'functions', file), 'utf8'));
  const patterns: RegExp[] = [];
  for (const source of sources) {
    // `addMetric('x'`, and both names of `addMetric(ok ? 'x' : 'y'`.
    const names = [
      ...[...source.matchAll(/addMetric\(\s*(['`])(.*?)\1/g)].map((match) => match[2] ?? ''),
      ...[...source.matchAll(/addMetric\(\s*[^,?]*\?\s*'([^']+)'\s*:\s*'([^']+)'/g)].flatMap((match) => [
        match[1] ?? '',
        match[2] ?? '',
      ]),
    ];
    for (const name of names) {
      const escaped = name
        .split(/\$\{[^}]*\}/)
        .map((part) => part.replace(/[.*+?^()|[\]\\]/g, '\\$&'))
        .join('.+');
      patterns.push(new RegExp(`^${escaped}$`));
    }
  }
  // Powertools emits `ColdStart` itself from a handler whose metrics middleware asks for it.
  if (sources.some((source) => source.includes('captureColdStartMetric: true'))) patterns.push(/^ColdStart$/);
  return patterns;
};

/** A dashboard widget as CloudWatch reads it: its title and the expressions it graphs. */
interface Widget {
  readonly title: string;
  readonly expressions: readonly string[];
}

/**
 * The widgets of a dashboard resource: its body's `Fn::Join` parts joined, each reference (the
 * API id) written as `<ref>`, and parsed as CloudWatch parses it.
 */
const widgetsOf = (dashboard: unknown): Widget[] => {
  const join = (dashboard as { Properties: { DashboardBody: { 'Fn::Join': [string, unknown[]] } } })
    .Properties.DashboardBody['Fn::Join'];
  const text = join[1].map((part) => (typeof part === 'string' ? part : '<ref>')).join(join[0]);
  const body = JSON.parse(text) as {
    widgets: { properties: { title?: string; metrics?: unknown[][] } }[];
  };
  return body.widgets.map(({ properties }) => ({
    title: properties.title ?? '',
    expressions: (properties.metrics ?? []).flatMap((line) =>
      line.flatMap((entry) =>
        typeof entry === 'object' && entry !== null && 'expression' in entry
          ? [String((entry as { expression: unknown }).expression)]
          : [],
      ),
    ),
  }));
};

describe('ObservabilityStack', () => {
  const { stacks, observability, api } = synthesize('dev');
  const topic = { 'Fn::ImportValue': Match.stringLikeRegexp('coord-dev-messaging') };
  const dashboard = observability.toJSON().Resources[logicalIdOf(stacks.observability.dashboard)];
  const body = JSON.stringify(dashboard);
  const widgets = widgetsOf(dashboard);
  const widget = (title: string): Widget => {
    const found = widgets.find((each) => each.title === title);
    if (!found)
      throw new Error(`No widget "${title}" among ${widgets.map((each) => each.title).join(' | ')}`);
    return found;
  };

  it('graphs only custom metrics the handlers emit', () => {
    const patterns = emittedMetricPatterns();
    expect(patterns.length).toBeGreaterThan(0);
    for (const name of DASHBOARD_CUSTOM_METRICS) {
      expect(
        patterns.some((pattern) => pattern.test(name)),
        `${name} is emitted by functions/`,
      ).toBe(true);
      expect(body).toContain(`MetricName=\\\\\\"${name}\\\\\\"`);
    }
    const graphed = [
      ...body.matchAll(
        new RegExp(`\\{${METRICS_NAMESPACE},[^}]*\\} MetricName=\\\\\\\\\\\\"([^\\\\]+)`, 'g'),
      ),
    ].map((match) => match[1]);
    expect(graphed.length).toBeGreaterThan(0);
    for (const name of graphed) expect(DASHBOARD_CUSTOM_METRICS).toContain(name);
  });

  it('alarms only on custom metrics the handlers emit', () => {
    const patterns = emittedMetricPatterns();
    const alarmed = Object.values(observability.findResources('AWS::CloudWatch::Alarm'))
      .map((alarm) => alarm.Properties as { Namespace?: string; MetricName?: string })
      .filter((properties) => properties.Namespace === METRICS_NAMESPACE)
      .map((properties) => properties.MetricName ?? '');
    expect(new Set(alarmed)).toEqual(new Set(ALARM_CUSTOM_METRICS));
    for (const name of alarmed) {
      expect(
        patterns.some((pattern) => pattern.test(name)),
        `${name} is emitted by functions/`,
      ).toBe(true);
    }
  });

  it('graphs claims made from their own metric, not from 2xx answers of the claim routes', () => {
    const claims = widget('Claims per minute by route (claimNext / claimWork)');
    expect(claims.expressions).toEqual([
      `SEARCH('{${METRICS_NAMESPACE},route,service} MetricName="claim.successes"', 'Sum', 60)`,
    ]);
    for (const each of widgets) {
      if (each.expressions.some((expression) => expression.includes('"http2xx"'))) {
        expect(each.title).not.toMatch(/claim/i);
      }
    }
  });

  it('graphs the lost races of claim-next beside the conflicts (409) by code', () => {
    const conflicts = widget('Claim latency p50 / p99 (ms); conflicts (409) by code and lost races');
    expect(conflicts.expressions).toEqual(
      expect.arrayContaining([
        `SEARCH('{${METRICS_NAMESPACE},code,service} MetricName="conflicts"', 'Sum', 60)`,
        `SEARCH('{${METRICS_NAMESPACE},service} MetricName="claim.lostRaces"', 'Sum', 60)`,
      ]),
    );
  });

  it('graphs the escalations recorded, by kind', () => {
    expect(widget('Escalations recorded by kind').expressions).toEqual([
      `SEARCH('{${METRICS_NAMESPACE},kind,service} MetricName="escalations.recorded"', 'Sum', 60)`,
    ]);
  });

  it('graphs p50 and p99 latency per route of the HTTP API, whose stage publishes route metrics', () => {
    for (const statistic of ['p50', 'p99']) {
      expect(widget(`HTTP API latency ${statistic} per route (ms)`).expressions).toEqual([
        `SEARCH('{AWS/ApiGateway,ApiId,Route,Stage} MetricName="Latency" ApiId="<ref>"', '${statistic}', 60)`,
      ]);
    }
    api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: Match.objectLike({ DetailedMetricsEnabled: true }),
    });
  });

  it('graphs work items by status, heartbeat lag, every sweep change and Claude tokens', () => {
    for (const title of [
      'Work items by status (queue depth)',
      'Heartbeat lag (ms): accepted to applied, p50 / p99 / max',
      'Sweeper: runs, and its changes per minute',
      'Claude tokens in and out by purpose',
    ]) {
      expect(body).toContain(title);
    }
  });

  it('graphs API, queues, DLQs, Lambda, DynamoDB and the WebSocket API', () => {
    for (const title of [
      'HTTP API requests, 4xx and 5xx',
      'HTTP API latency p50 / p99 (ms)',
      'SQS: visible messages and age of oldest (s)',
      'Dead-letter queue depth',
      'Lambda errors and throttles',
      'Lambda duration p99 (ms) and concurrency',
      'DynamoDB read and write throttle events',
      'DynamoDB latency (ms): Query and GetItem',
      'WebSocket connects, messages and integration errors',
    ]) {
      expect(body).toContain(title);
    }
    observability.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'coord-dev-service' });
  });

  it('alarms on a 5xx rate over 1 % and a p99 over 1 s, notifying the alarm topic', () => {
    observability.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'coord-dev-api-5xx-rate',
      Threshold: 1,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(requests > 0, 100 * errors / requests, 0)' }),
      ]),
      AlarmActions: [topic],
    });
    observability.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'coord-dev-api-p99-latency',
      MetricName: 'Latency',
      ExtendedStatistic: 'p99',
      Threshold: 1000,
      AlarmActions: [topic],
    });
  });

  it('alarms when the sweeper has finished no pass for 5 minutes, treating no data as a failure', () => {
    observability.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'coord-dev-sweeper-not-running',
      Namespace: METRICS_NAMESPACE,
      MetricName: 'sweep.runs',
      Dimensions: Match.arrayWith([{ Name: 'task', Value: 'sweep' }]),
      Period: 300,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
      AlarmActions: [topic],
    });
  });

  it('alarms when heartbeats are applied over a minute after they were accepted', () => {
    observability.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'coord-dev-heartbeat-lag',
      Namespace: METRICS_NAMESPACE,
      MetricName: 'heartbeat.lag',
      Dimensions: Match.arrayWith([{ Name: 'queue', Value: 'heartbeats' }]),
      Statistic: 'Maximum',
      Threshold: HEARTBEAT_LAG_ALARM_MS,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
    });
  });

  it('alarms on DynamoDB throttles of every table and failed backup jobs', () => {
    for (const definition of TABLES) {
      observability.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `coord-dev-${definition.id}-throttles`,
        Metrics: Match.anyValue(),
        AlarmActions: [topic],
      });
    }
    observability.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'coord-dev-backup-jobs-failed',
      Namespace: 'AWS/Backup',
      MetricName: 'NumberOfBackupJobsFailed',
    });
  });
});

describe('the queues of the messaging stack', () => {
  const { stacks, messaging, observability } = synthesize('dev');
  type Resource = { Type: string; Properties: Record<string, unknown> };
  const resources = messaging.toJSON().Resources as Record<string, Resource>;
  const queueIds = Object.keys(resources).filter((id) => resources[id]?.Type === 'AWS::SQS::Queue');
  // A dead-letter queue is the redrive target of a queue or the dead-letter config of a rule's target.
  const deadLetterIds = new Set(
    [
      ...Object.values(resources).map((resource) => resource.Properties?.RedrivePolicy),
      ...Object.values(resources)
        .filter((resource) => resource.Type === 'AWS::Events::Rule')
        .flatMap((rule) => (rule.Properties.Targets as { DeadLetterConfig?: unknown }[]) ?? [])
        .map((target) => target.DeadLetterConfig),
    ].flatMap((config) => {
      const arn = JSON.stringify(config ?? null).match(/"Fn::GetAtt":\["([^"]+)","Arn"\]/);
      return arn?.[1] ? [arn[1]] : [];
    }),
  );
  const workQueueIds = queueIds.filter((id) => !deadLetterIds.has(id));
  const exportOf = (logicalId: string): string => {
    const outputs = Object.values(
      messaging.toJSON().Outputs as Record<string, { Value: unknown; Export?: { Name: string } }>,
    );
    const output = outputs.find(
      (candidate) =>
        JSON.stringify(candidate.Value) === JSON.stringify({ 'Fn::GetAtt': [logicalId, 'QueueName'] }),
    );
    if (!output?.Export) throw new Error(`The messaging stack exports no name of queue ${logicalId}`);
    return output.Export.Name;
  };
  const topic = { 'Fn::ImportValue': Match.stringLikeRegexp('coord-dev-messaging') };
  const runbook = readFileSync(join(PROJECT_ROOT, 'docs/runbook.md'), 'utf8');

  it('are every queue and its dead-letter queue, and the sweeper dead-letter queue', () => {
    expect(workQueueIds).toHaveLength(stacks.messaging.queues.size);
    expect(deadLetterIds.size).toBe(stacks.messaging.queues.size + 1);
    expect(queueIds).toHaveLength(workQueueIds.length + deadLetterIds.size);
  });

  it.each(queueIds.filter((id) => !deadLetterIds.has(id)).map((logicalId) => ({ logicalId })))(
    'alarm when the oldest message of $logicalId waits too long, with a runbook entry',
    ({ logicalId }) => {
      const queueId = [...stacks.messaging.queues].find(
        ([, queue]) => logicalIdOf(queue.queue) === logicalId,
      )?.[0];
      const definition = queueId ? stacks.messaging.queues.get(queueId)?.definition : undefined;
      if (!queueId || !definition) throw new Error(`Queue ${logicalId} is not one of the stack's queues`);
      observability.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `coord-dev-${queueId}-age`,
        AlarmDescription: Match.stringLikeRegexp(`"${queueAgeRunbookEntry(queueId)}"`),
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::ImportValue': exportOf(logicalId) } }],
        Statistic: 'Maximum',
        Period: 60,
        Threshold: definition.ageAlarmSeconds,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 3,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topic],
        OKActions: [topic],
      });
      expect(runbook).toContain(`- **${queueAgeRunbookEntry(queueId)}** (\`coord-<stage>-${queueId}-age\`)`);
    },
  );

  it.each([...deadLetterIds].map((logicalId) => ({ logicalId })))(
    'alarm on the first message in dead-letter queue $logicalId instead',
    ({ logicalId }) => {
      messaging.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId, 'QueueName'] } }],
        Threshold: 1,
        AlarmActions: [{ Ref: logicalIdOf(stacks.messaging.alarms.topic) }],
      });
    },
  );

  it('keeps the heartbeats alarm at 60 s under the id it was deployed with', () => {
    expect(logicalIdOf(stacks.observability.serviceAlarms.get('HeartbeatQueueAge'))).toMatch(
      /^HeartbeatQueueAge/,
    );
    observability.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'coord-dev-heartbeats-age',
      Threshold: 60,
    });
  });
});

describe('ObservabilityStack backup notifications', () => {
  const { stacks, observability } = synthesize('dev');

  it('sends failed backup and copy jobs of the tables vault to the alarm topic', () => {
    const vault = stacks.data.backupPlan?.backupVault;
    observability.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.backup'],
        'detail-type': ['Backup Job State Change', 'Copy Job State Change'],
        detail: {
          backupVaultName: [{ 'Fn::ImportValue': Match.stringLikeRegexp('coord-dev-data') }],
          state: ['FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL'],
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::ImportValue': Match.stringLikeRegexp('coord-dev-messaging') },
          InputTransformer: Match.objectLike({
            InputPathsMap: Match.objectLike({ 'detail-state': '$.detail.state' }),
          }),
        }),
      ],
    });
    expect(vault).toBeDefined();
    expect(JSON.stringify(observability.toJSON())).toContain('AWS Backup');
  });
});
