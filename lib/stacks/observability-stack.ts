import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { IHttpApi, IWebSocketApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { type ITable, Operation } from 'aws-cdk-lib/aws-dynamodb';
import { EventField, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import { heartbeatsQueue } from '#adapters/sqs/queues';
import { INVARIANT_NAMES } from '#app/schemas/invariants';
import type { Alarms } from '../constructs/alarms';
import type { CoordFunction } from '../constructs/coord-function';
import type { QueueWithDlq } from '../constructs/queue-with-dlq';
import { EMITTED_METRICS } from '../emitted-metrics';

/** Namespace of the metrics the handlers emit through Powertools (`functions/shared/observability.ts`). */
export const METRICS_NAMESPACE = EMITTED_METRICS.namespace;

/** Properties of the {@link ObservabilityStack}. */
export interface ObservabilityStackProps extends StackProps {
  /** Prefix of the dashboard and alarm names, e.g. `coord-dev`. */
  readonly namePrefix: string;
  /** The alarms' topic. */
  readonly alarms: Alarms;
  /** The HTTP API. */
  readonly httpApi: IHttpApi;
  /**
   * The WebSocket API, graphed when given.
   * @default no WebSocket graph
   */
  readonly webSocketApi?: IWebSocketApi;
  /** The queues and their DLQs, by queue id. */
  readonly queues: ReadonlyMap<string, QueueWithDlq>;
  /** The tables, by definition id. */
  readonly tables: ReadonlyMap<string, ITable>;
  /**
   * The sweeper function, watched for not running.
   * @default no sweeper alarm
   */
  readonly sweeper?: CoordFunction;
  /**
   * The backup vault of the tables: its failed, aborted or expired backup and copy jobs are sent
   * to the alarm topic.
   * @default no backup notifications
   */
  readonly backupVaultName?: string;
}

/** Backup job states worth telling whoever is on call. */
export const BACKUP_FAILURE_STATES = ['FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL'] as const;

const MINUTE = Duration.minutes(1);
// The operations the service uses: an alarm's math expression may hold at most 10 metrics.
const OPERATIONS = [
  Operation.GET_ITEM,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.DELETE_ITEM,
  Operation.QUERY,
  Operation.BATCH_GET_ITEM,
  Operation.BATCH_WRITE_ITEM,
  Operation.TRANSACT_WRITE_ITEMS,
  Operation.TRANSACT_GET_ITEMS,
];
const FIVE_MINUTES = Duration.minutes(5);
/** Custom metric names the dashboard graphs; a test checks that the handlers emit each one. */
export const DASHBOARD_CUSTOM_METRICS = [
  'http2xx',
  'http4xx',
  'http5xx',
  'unhandledErrors',
  'queueMessagesHandled',
  'queueMessagesFailed',
  'queueMessagesDropped',
  'sweep.expiredLeases',
  'sweep.escalatedItems',
  'invariants.violations',
  'claim.latency',
  'claim.lostRaces',
  'claim.successes',
  'conflicts',
  'escalations.recorded',
  'ai.calls',
  'ai.fallbacks',
  'ai.inputTokens',
  'ai.outputTokens',
  'ColdStart',
  'queue.depth',
  'heartbeat.lag',
  'sweep.runs',
  'sweep.reviewedItems',
  'sweep.deadlineEscalations',
  'sweep.offlineAgents',
  'sweep.unblockedItems',
  'sweep.repairRequests',
  'sweep.settledEscalations',
] as const;

/** Custom metrics the alarms watch; a test checks that the handlers emit each one. */
export const ALARM_CUSTOM_METRICS = ['sweep.runs', 'heartbeat.lag', 'invariants.violations'] as const;

const capitalized = (id: string): string => `${id.charAt(0).toUpperCase()}${id.slice(1)}`;

/** The docs/runbook.md entry of a queue's age alarm: `Webhooks queue age`. */
export const queueAgeRunbookEntry = (queueId: string): string => `${capitalized(queueId)} queue age`;

/** Longest a heartbeat may wait to be applied before the heartbeat lag alarm fires. */
export const HEARTBEAT_LAG_ALARM_MS = 60_000;

/** What a sweeper pass changes, as its `sweep.*` metrics, with their graph labels. */
const SWEEP_CHANGES = [
  ['expiredLeases', 'expired leases'],
  ['escalatedItems', 'escalated'],
  ['reviewedItems', 'reviewed'],
  ['deadlineEscalations', 'deadline escalations'],
  ['offlineAgents', 'agents marked offline'],
  ['unblockedItems', 'unblocked'],
  ['repairRequests', 'repairs'],
  ['settledEscalations', 'settled escalations'],
] as const;

/** A search over one emitted metric, summed per `dimension` (route, queue, task). */
const searchEmitted = (metricName: string, dimension: string, label: string) =>
  new MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},service,${dimension}} MetricName="${metricName}"', 'Sum', 60)`,
    label,
    period: MINUTE,
  });

/** A search over one emitted metric whose dimensions are exactly `service` and `dimensions`. */
const searchCoord = (metricName: string, dimensions: readonly string[], statistic: string, label: string) =>
  new MathExpression({
    expression: `SEARCH('{${[METRICS_NAMESPACE, ...dimensions, 'service'].join(',')}} MetricName="${metricName}"', '${statistic}', 60)`,
    label,
    period: MINUTE,
  });

/**
 * The service's CloudWatch dashboard and the alarms that watch the whole deployment: API 5xx rate
 * and p99 latency, the sweeper not running, the age of every queue's oldest message, heartbeat
 * lag, DynamoDB throttles and failed backup jobs (function and DLQ alarms live beside their resources).
 */
export class ObservabilityStack extends Stack {
  /** The dashboard. */
  public readonly dashboard: Dashboard;
  /** The alarms of this stack, by id. */
  public readonly serviceAlarms: ReadonlyMap<string, Alarm>;
  /** Sends failed backup jobs to the alarm topic, when the tables have a backup vault. */
  public readonly backupNotifications?: Rule;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { namePrefix } = props;
    const alarms = new Map<string, Alarm>();
    const alarm = (alarmId: string, alarmProps: ConstructorParameters<typeof Alarm>[2]) => {
      const created = new Alarm(this, alarmId, alarmProps);
      props.alarms.notify(created);
      alarms.set(alarmId, created);
      return created;
    };
    const apiMetric = (metricName: string, statistic: string) =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: props.httpApi.apiId },
        statistic,
        period: MINUTE,
      });
    const requests = apiMetric('Count', 'Sum');
    const serverErrors = apiMetric('5xx', 'Sum');
    const clientErrors = apiMetric('4xx', 'Sum');
    const serverErrorRate = new MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { requests, errors: serverErrors },
      label: '5xx %',
      period: MINUTE,
    });

    alarm('Api5xxRate', {
      alarmName: `${namePrefix}-api-5xx-rate`,
      alarmDescription:
        'Over 1 % of HTTP API requests answered 5xx in 3 of 5 minutes (docs/runbook.md, "API 5xx").',
      metric: serverErrorRate,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm('ApiP99Latency', {
      alarmName: `${namePrefix}-api-p99-latency`,
      alarmDescription: 'HTTP API p99 latency over 1 s in 3 of 5 minutes (docs/runbook.md, "API latency").',
      metric: apiMetric('Latency', 'p99'),
      threshold: 1000,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (props.sweeper) {
      alarm('SweeperNotRunning', {
        alarmName: `${namePrefix}-sweeper-not-running`,
        alarmDescription:
          'The sweeper has not run for 5 minutes: leases are not expiring (docs/runbook.md, "Sweeper not running").',
        // Finished passes, not invocations: a sweeper that is invoked but fails every time has
        // stopped too. The sweeper emits one `sweep.runs` per pass; none is the missing metric.
        metric: new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: 'sweep.runs',
          dimensionsMap: { service: EMITTED_METRICS.service, task: 'sweep' },
          statistic: 'Sum',
          period: FIVE_MINUTES,
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // No data is exactly the failure this alarm exists for.
        treatMissingData: TreatMissingData.BREACHING,
      });
    }
    for (const [queueId, { queue, definition }] of props.queues) {
      // The heartbeats alarm keeps the id it was created with: a new id would replace it, and
      // deleting the old resource would delete the alarm of the same name.
      const ageAlarmId =
        queueId === heartbeatsQueue.id ? 'HeartbeatQueueAge' : `${capitalized(queueId)}QueueAge`;
      alarm(ageAlarmId, {
        alarmName: `${namePrefix}-${queueId}-age`,
        alarmDescription: `Messages of the ${queueId} queue wait over ${definition.ageAlarmSeconds} s: its consumer is failing, throttled or stopped (docs/runbook.md, "${queueAgeRunbookEntry(queueId)}").`,
        metric: queue.metricApproximateAgeOfOldestMessage({
          period: MINUTE,
          statistic: 'Maximum',
        }),
        threshold: definition.ageAlarmSeconds,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
    alarm('HeartbeatLag', {
      alarmName: `${namePrefix}-heartbeat-lag`,
      alarmDescription: `Heartbeats are applied over ${HEARTBEAT_LAG_ALARM_MS / 1000} s after they were accepted: agents may be marked offline wrongly (docs/runbook.md, "Heartbeat lag").`,
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'heartbeat.lag',
        dimensionsMap: { service: EMITTED_METRICS.service, queue: heartbeatsQueue.id },
        statistic: 'Maximum',
        period: MINUTE,
      }),
      threshold: HEARTBEAT_LAG_ALARM_MS,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      // No heartbeats, no lag: agents that stop heartbeating are the sweeper's to find.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    for (const [tableId, table] of props.tables) {
      alarm(`${tableId}Throttles`, {
        alarmName: `${namePrefix}-${tableId}-throttles`,
        alarmDescription: `Requests to the ${tableId} table were throttled (docs/runbook.md, "DynamoDB throttles").`,
        metric: table.metricThrottledRequestsForOperations({ operations: OPERATIONS, period: MINUTE }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
    for (const name of INVARIANT_NAMES) {
      alarm(`Invariant-${name}`, {
        alarmName: `${namePrefix}-invariant-${name}`,
        alarmDescription: `The sweeper keeps finding records that break "${name}" (GET /v1/invariants; docs/runbook.md, "Invariant violated").`,
        metric: new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: 'invariants.violations',
          dimensionsMap: { service: EMITTED_METRICS.service, invariant: name },
          statistic: 'Sum',
          period: FIVE_MINUTES,
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
    alarm('BackupJobsFailed', {
      alarmName: `${namePrefix}-backup-jobs-failed`,
      alarmDescription: 'An AWS Backup job of the tables failed (docs/runbook.md, "Backup job failed").',
      metric: new Metric({
        namespace: 'AWS/Backup',
        metricName: 'NumberOfBackupJobsFailed',
        dimensionsMap: { ResourceType: 'DynamoDB' },
        statistic: 'Sum',
        period: Duration.hours(1),
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.serviceAlarms = alarms;

    if (props.backupVaultName) {
      this.backupNotifications = new Rule(this, 'BackupJobFailures', {
        description: `${namePrefix}: failed backup and copy jobs of the table backup vault`,
        eventPattern: {
          source: ['aws.backup'],
          detailType: ['Backup Job State Change', 'Copy Job State Change'],
          detail: { backupVaultName: [props.backupVaultName], state: [...BACKUP_FAILURE_STATES] },
        },
        targets: [
          new SnsTopic(props.alarms.topic, {
            message: RuleTargetInput.fromText(
              `${namePrefix}: AWS Backup ${EventField.fromPath('$.detail-type')} ${EventField.fromPath('$.detail.state')} for ${EventField.fromPath('$.resources')} in vault ${props.backupVaultName} (docs/runbook.md, "Backup job failed").`,
            ),
          }),
        ],
      });
    }

    const lambdaSearch = (metricName: string, statistic: string) =>
      new MathExpression({
        expression: `SEARCH('{AWS/Lambda,FunctionName} MetricName="${metricName}" ${namePrefix}', '${statistic}', 60)`,
        label: metricName,
        period: MINUTE,
      });
    const wide = { width: 12, height: 6 };
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${namePrefix}-service`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new GraphWidget({
        ...wide,
        title: 'HTTP API requests, 4xx and 5xx',
        left: [requests, clientErrors, serverErrors],
      }),
      new GraphWidget({
        ...wide,
        title: 'HTTP API latency p50 / p99 (ms)',
        left: [apiMetric('Latency', 'p50'), apiMetric('Latency', 'p99')],
      }),
      // Per route from the stage's detailed route metrics (ApiStack enables them), not from an EMF
      // metric per route: they time what a client waits, API Gateway and a cold start included,
      // also for answers that never reach a handler (throttled, unauthorized, unknown route), and
      // cost the handlers nothing on the request path. Their price: CloudWatch bills each route's
      // metrics (Count, 4xx, 5xx, Latency, IntegrationLatency) as custom metrics.
      ...(['p50', 'p99'] as const).map(
        (statistic) =>
          new GraphWidget({
            ...wide,
            title: `HTTP API latency ${statistic} per route (ms)`,
            left: [
              new MathExpression({
                expression: `SEARCH('{AWS/ApiGateway,ApiId,Route,Stage} MetricName="Latency" ApiId="${props.httpApi.apiId}"', '${statistic}', 60)`,
                label: `${statistic} \${PROP('Dim.Route')}`,
                period: MINUTE,
              }),
            ],
          }),
      ),
      new GraphWidget({
        ...wide,
        title: 'Answers per route: 5xx and 4xx (conflicts, validation)',
        left: [searchEmitted('http5xx', 'route', '5xx')],
        right: [searchEmitted('http4xx', 'route', '4xx')],
      }),
      new GraphWidget({
        ...wide,
        title: 'Successful answers and unhandled errors per route',
        left: [searchEmitted('http2xx', 'route', '2xx')],
        right: [searchEmitted('unhandledErrors', 'route', 'unhandled errors')],
      }),
      new GraphWidget({
        ...wide,
        // Claims made, not 2xx answers: claim-next's 204 "nothing fits" and replays are no claims.
        title: 'Claims per minute by route (claimNext / claimWork)',
        left: [searchCoord('claim.successes', ['route'], 'Sum', 'claims')],
      }),
      new GraphWidget({
        ...wide,
        title: 'Claim latency p50 / p99 (ms); conflicts (409) by code and lost races',
        left: [
          searchCoord('claim.latency', [], 'p50', 'claim p50'),
          searchCoord('claim.latency', [], 'p99', 'claim p99'),
        ],
        right: [
          searchCoord('conflicts', ['code'], 'Sum', 'conflicts'),
          searchCoord('claim.lostRaces', [], 'Sum', 'lost races'),
        ],
      }),
      new GraphWidget({
        ...wide,
        title: 'Escalations recorded by kind',
        left: [searchCoord('escalations.recorded', ['kind'], 'Sum', 'escalations')],
      }),
      new GraphWidget({
        ...wide,
        title: 'Claude calls and fallbacks by purpose; cold starts by function',
        left: [
          searchCoord('ai.calls', ['purpose'], 'Sum', 'AI calls'),
          searchCoord('ai.fallbacks', ['purpose'], 'Sum', 'AI fallbacks'),
        ],
        right: [searchCoord('ColdStart', ['function_name'], 'Sum', 'cold starts')],
      }),
      new GraphWidget({
        ...wide,
        title: 'Work items by status (queue depth)',
        left: [searchCoord('queue.depth', ['status'], 'Maximum', 'items')],
      }),
      new GraphWidget({
        ...wide,
        title: 'Heartbeat lag (ms): accepted to applied, p50 / p99 / max',
        left: [
          searchCoord('heartbeat.lag', ['queue'], 'p50', 'lag p50'),
          searchCoord('heartbeat.lag', ['queue'], 'p99', 'lag p99'),
          searchCoord('heartbeat.lag', ['queue'], 'Maximum', 'lag max'),
        ],
      }),
      new GraphWidget({
        ...wide,
        title: 'Claude tokens in and out by purpose',
        left: [searchCoord('ai.inputTokens', ['purpose'], 'Sum', 'input tokens')],
        right: [searchCoord('ai.outputTokens', ['purpose'], 'Sum', 'output tokens')],
      }),
      new GraphWidget({
        ...wide,
        title: 'Queue messages handled, failed, dropped',
        left: [
          searchEmitted('queueMessagesHandled', 'queue', 'handled'),
          searchEmitted('queueMessagesFailed', 'queue', 'failed'),
          searchEmitted('queueMessagesDropped', 'queue', 'dropped'),
        ],
      }),
      new GraphWidget({
        ...wide,
        title: 'Sweeper: runs, and its changes per minute',
        left: [searchEmitted('sweep.runs', 'task', 'runs')],
        right: SWEEP_CHANGES.map(([name, label]) => searchEmitted(`sweep.${name}`, 'task', label)),
      }),
      new GraphWidget({
        ...wide,
        title: 'Invariant violations found per sweep (GET /v1/invariants)',
        left: [searchEmitted('invariants.violations', 'invariant', 'violations')],
      }),
      new GraphWidget({
        ...wide,
        title: 'SQS: visible messages and age of oldest (s)',
        left: [...props.queues.values()].map((queue) =>
          queue.queue.metricApproximateNumberOfMessagesVisible({
            period: MINUTE,
            label: queue.definition.id,
          }),
        ),
        right: [...props.queues.values()].map((queue) =>
          queue.queue.metricApproximateAgeOfOldestMessage({ period: MINUTE, label: queue.definition.id }),
        ),
      }),
      new GraphWidget({
        ...wide,
        title: 'Dead-letter queue depth',
        left: [...props.queues.values()].map((queue) =>
          queue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period: MINUTE,
            label: `${queue.definition.id} DLQ`,
          }),
        ),
      }),
      new GraphWidget({
        ...wide,
        title: 'Lambda errors and throttles',
        left: [lambdaSearch('Errors', 'Sum')],
        right: [lambdaSearch('Throttles', 'Sum')],
      }),
      new GraphWidget({
        ...wide,
        title: 'Lambda duration p99 (ms) and concurrency',
        left: [lambdaSearch('Duration', 'p99')],
        right: [lambdaSearch('ConcurrentExecutions', 'Maximum')],
      }),
      new GraphWidget({
        ...wide,
        title: 'DynamoDB read and write throttle events',
        left: [...props.tables.entries()].map(([tableId, table]) =>
          table.metric('ReadThrottleEvents', { period: MINUTE, statistic: 'Sum', label: `${tableId} reads` }),
        ),
        right: [...props.tables.entries()].map(([tableId, table]) =>
          table.metric('WriteThrottleEvents', {
            period: MINUTE,
            statistic: 'Sum',
            label: `${tableId} writes`,
          }),
        ),
      }),
      new GraphWidget({
        ...wide,
        title: 'DynamoDB latency (ms): Query and GetItem',
        left: [...props.tables.entries()].flatMap(([tableId, table]) =>
          ['Query', 'GetItem'].map((operation) =>
            table.metricSuccessfulRequestLatency({
              period: MINUTE,
              dimensionsMap: { TableName: table.tableName, Operation: operation },
              label: `${tableId} ${operation}`,
            }),
          ),
        ),
      }),
      ...(props.webSocketApi
        ? [
            new GraphWidget({
              ...wide,
              title: 'WebSocket connects, messages and integration errors',
              left: ['ConnectCount', 'MessageCount', 'IntegrationError'].map(
                (metricName) =>
                  new Metric({
                    namespace: 'AWS/ApiGateway',
                    metricName,
                    dimensionsMap: { ApiId: props.webSocketApi?.apiId ?? '' },
                    statistic: 'Sum',
                    period: MINUTE,
                  }),
              ),
            }),
          ]
        : []),
    );
  }
}
