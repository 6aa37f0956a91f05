import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type ScheduleDefinition, sweeperSchedule } from '#functions/shared/schedules';
import { CoordFunction, type CoordFunctionProps } from './coord-function';

/** Properties of a {@link SweeperSchedule}. */
export interface SweeperScheduleProps {
  /** The tables the sweeper reads and writes (work, agents, events, meta, escalations). */
  readonly tables: readonly ITable[];
  /** Where the sweeper sends escalation requests; it learns the URL as `COORD_ESCALATIONS_QUEUE_URL`. */
  readonly escalationsQueue: IQueue;
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

/**
 * The sweeper: a function run by an EventBridge rule at a fixed rate, with read-write access to
 * the tables and the right to send to the escalations queue. A pass does bounded work, so it
 * ends well within its rate; one that fails is not retried, since the next tick runs anyway.
 */
export class SweeperSchedule extends Construct {
  /** The sweeper function. */
  public readonly handler: CoordFunction;
  /** The rule that invokes it. */
  public readonly rule: Rule;

  constructor(scope: Construct, id: string, props: SweeperScheduleProps) {
    super(scope, id);
    const schedule = props.schedule ?? sweeperSchedule;
    const rate = Duration.minutes(schedule.rateMinutes);
    this.handler = new CoordFunction(this, 'Function', {
      ...props.functionDefaults,
      entry: schedule.entry,
      // Ends before the next tick, so passes overlap only when one hangs (they are safe even then).
      timeout: Duration.seconds(Math.max(10, rate.toSeconds() - 10)),
    });
    for (const table of props.tables) table.grantReadWriteData(this.handler);
    props.escalationsQueue.grantSendMessages(this.handler);
    this.handler.function.addEnvironment('COORD_ESCALATIONS_QUEUE_URL', props.escalationsQueue.queueUrl);
    this.rule = new Rule(this, 'Rule', {
      description: `Runs ${schedule.entry} every ${schedule.rateMinutes} minute(s)`,
      schedule: Schedule.rate(rate),
      targets: [new LambdaFunction(this.handler.function, { retryAttempts: 0, maxEventAge: rate })],
    });
  }
}
