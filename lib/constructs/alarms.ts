import { Duration } from 'aws-cdk-lib';
import { Alarm, type AlarmBase, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Properties of {@link Alarms}. */
export interface AlarmsProps {
  /** Prefix of every alarm name, e.g. `coord-dev`. */
  readonly namePrefix: string;
  /**
   * Where alarms notify (subscribe people or a pager to it).
   * @default a new SNS topic named `<namePrefix>-alarms`
   */
  readonly topic?: ITopic;
  /**
   * E-mail addresses subscribed to the topic (each confirms once).
   * @default no subscription
   */
  readonly emails?: readonly string[];
}

/**
 * The service's CloudWatch alarms, each notifying one SNS topic when it fires and again when it
 * clears, so whoever is on call also hears that it is over.
 */
export class Alarms extends Construct {
  /** The topic every alarm notifies. */
  public readonly topic: ITopic;
  private readonly namePrefix: string;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.namePrefix = props.namePrefix;
    this.topic =
      props.topic ??
      new Topic(this, 'Topic', {
        topicName: `${props.namePrefix}-alarms`,
        displayName: 'coord alarms',
        // Publishing over plain HTTP is refused (topic policy).
        enforceSSL: true,
      });
    for (const email of props.emails ?? []) this.topic.addSubscription(new EmailSubscription(email));
  }

  /** Makes `alarm` notify the topic when it fires and when it clears. */
  public notify(alarm: AlarmBase): void {
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }

  /**
   * Fires as soon as one message waits in a dead-letter queue: every dead-lettered message is a
   * message the service gave up on, so one is already worth a look.
   */
  public addDeadLetterAlarm(id: string, deadLetterQueue: IQueue, what: string): Alarm {
    const alarm = new Alarm(this, id, {
      alarmName: `${this.namePrefix}-${what}-dlq-depth`,
      alarmDescription: `Messages of the ${what} queue were dead-lettered: inspect ${deadLetterQueue.queueName}, fix the cause, then redrive them.`,
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.notify(alarm);
    return alarm;
  }
}
