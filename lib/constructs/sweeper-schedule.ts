import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type ScheduleDefinition, sweeperSchedule } from '#functions/shared/schedules';
import { grantTable } from '../table-access';
import { CoordFunction, type CoordFunctionProps } from './coord-function';

/** Properties of a {@link SweeperSchedule}. */
export interface SweeperScheduleProps {
  /** The tables the sweeper reads and writes (work, agents, events, meta, escalations). */
  readonly tables: readonly ITable[];
  /** Where the sweeper sends escalation requests; it learns the URL as `COORD_ESCALATIONS_QUEUE_URL`. */
  readonly escalationsQueue: IQueue;
  /**
   * Prefix of the dead-letter queue's name (`<prefix>-sweeper-dlq`).
   * @default a name CloudFormation generates
   */
  readonly namePrefix?: string;
  /**
   * What happens to the dead-letter queue when the stack is deleted.
   * @default it is deleted with the stack
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Which handler runs, and how often.
   * @default the sweeper of `schedules.ts`: `functions/scheduled/sweep.ts` every minute
   */
  readonly schedule?: ScheduleDefinition;
  /**
   * Settings of the function (environment, memory, bundling, project root).
   * @default the CoordFunction defaults
   */
  readonly functionDefaults?: Omit<CoordFunctionProps, 'entry' | 'timeout'>;
}

/** Retries of a tick whose delivery or run failed, before it is dead-lettered. */
export const SWEEPER_RETRY_ATTEMPTS = 2;

/** The sweeper's reserved concurrency: one pass at a time. */
export const SWEEPER_RESERVED_CONCURRENCY = 1;

/**
 * The sweeper: a function run by an EventBridge rule at a fixed rate, with read-write access to
 * the tables and the right to send to the escalations queue. A tick that cannot be delivered
 * (throttled: the sweeper runs one pass at a time) or whose pass fails is retried twice within
 * its rate, then lands in a dead-letter queue, so a broken sweeper is seen rather than silent.
 */
export class SweeperSchedule extends Construct {
  /** The sweeper function. */
  public readonly handler: CoordFunction;
  /** The rule that invokes it. */
  public readonly rule: Rule;
  /** Ticks that could not be delivered or whose pass failed after the retries. */
  public readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: SweeperScheduleProps) {
    super(scope, id);
    const schedule = props.schedule ?? sweeperSchedule;
    const rate = Duration.minutes(schedule.rateMinutes);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      ...(props.namePrefix && { queueName: `${props.namePrefix}-sweeper-dlq` }),
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.handler = new CoordFunction(this, 'Function', {
      ...props.functionDefaults,
      entry: schedule.entry,
      // Ends before the next tick, so passes overlap only when one hangs (they are safe even then).
      timeout: Duration.seconds(Math.max(10, rate.toSeconds() - 10)),
    });
    // One pass at a time, whatever the stage config says: two passes at once would only race
    // each other (a stage that sets another reserved concurrency for it is refused).
    this.handler.applySettings({ reservedConcurrency: SWEEPER_RESERVED_CONCURRENCY });
    // A pass that throws is retried by Lambda's asynchronous invocation, then dead-lettered.
    this.handler.target.configureAsyncInvoke({
      retryAttempts: SWEEPER_RETRY_ATTEMPTS,
      maxEventAge: Duration.seconds(Math.max(60, rate.toSeconds())),
      onFailure: new SqsDestination(this.deadLetterQueue),
    });
    for (const table of props.tables) grantTable(table, this.handler, 'readWrite');
    props.escalationsQueue.grantSendMessages(this.handler);
    this.handler.function.addEnvironment('COORD_ESCALATIONS_QUEUE_URL', props.escalationsQueue.queueUrl);
    this.rule = new Rule(this, 'Rule', {
      description: `Runs ${schedule.entry} every ${schedule.rateMinutes} minute(s)`,
      schedule: Schedule.rate(rate),
      targets: [
        new LambdaFunction(this.handler.target, {
          retryAttempts: SWEEPER_RETRY_ATTEMPTS,
          maxEventAge: rate,
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
  }
}
