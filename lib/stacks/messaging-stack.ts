import {
  CfnOutput,
  CrossStackReferences,
  Duration,
  ReferenceStrength,
  RemovalPolicy,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { escalationsQueue, QUEUES, type QueueDefinition } from '#adapters/sqs/queues';
import { CONSUMERS, type ConsumerDefinition } from '#functions/shared/consumers';
import { Alarms } from '../constructs/alarms';
import { CoordFunction, type CoordFunctionProps } from '../constructs/coord-function';
import { QueueWithDlq } from '../constructs/queue-with-dlq';
import { SweeperSchedule } from '../constructs/sweeper-schedule';
import { SERVICE_VERSION } from '../service-version';
import { grantTable } from '../table-access';

/** Properties of the {@link MessagingStack}. */
export interface MessagingStackProps extends StackProps {
  /** Deployment stage, e.g. `dev` or `prod`; consumers read it as `COORD_STAGE`. */
  readonly stage: string;
  /** Prefix of the physical queue and alarm names, e.g. `coord-dev`. */
  readonly namePrefix: string;
  /**
   * Prefix of the physical table names; consumers read it as `COORD_TABLE_PREFIX`.
   * @default `namePrefix`
   */
  readonly tablePrefix?: string;
  /**
   * E-mail addresses subscribed to the alarm topic (each confirms the subscription once).
   * @default no subscription
   */
  readonly alarmEmails?: readonly string[];
  /**
   * Most concurrent invocations of each queue consumer (at least 2, as Lambda requires).
   * @default no limit beyond the account's
   */
  readonly consumerMaxConcurrency?: number;
  /** The tables the consumers read and write. */
  readonly tables: readonly ITable[];
  /**
   * Whether this is a production deployment: queues and consumer log groups are kept when the stack is deleted.
   * @default false
   */
  readonly isProd?: boolean;
  /**
   * The queues to create.
   * @default every queue of `queues.ts`
   */
  readonly queues?: readonly QueueDefinition[];
  /**
   * The consumers to run; each one's queue must be among `queues`.
   * @default every consumer of `consumers.ts`
   */
  readonly consumers?: readonly ConsumerDefinition[];
  /**
   * Where the dead-letter alarms notify.
   * @default a new SNS topic of this stack
   */
  readonly alarmTopic?: ITopic;
  /**
   * Settings shared by every consumer function (memory, bundling, project root).
   * @default the CoordFunction defaults
   */
  readonly functionDefaults?: Omit<CoordFunctionProps, 'entry' | 'environment'>;
}

/**
 * A consumer may run for a sixth of its queue's visibility timeout, as AWS advises for SQS event
 * sources: a throttled or retried invocation then still ends before the message reappears.
 */
const CONSUMER_TIMEOUT_SHARE = 6;

/**
 * The asynchronous paths: every queue of `queues.ts` with its DLQ and a DLQ-depth alarm, and
 * every consumer of `consumers.ts` as a function behind an SQS event source mapping with its
 * queue's batch size and window, reporting batch item failures.
 */
export class MessagingStack extends Stack {
  /** Each queue and its DLQ, by queue id (`heartbeats`, `escalations`). */
  public readonly queues: ReadonlyMap<string, QueueWithDlq>;
  /** Each consumer's function, by consumer id. */
  public readonly consumers: ReadonlyMap<string, CoordFunction>;
  /** The alarms and the topic they notify. */
  public readonly alarms: Alarms;
  /** The sweeper and its schedule, when the stack has the escalations queue it sends to. */
  public readonly sweeper?: SweeperSchedule;

  /** @throws Error when a consumer's queue is not among the stack's queues. */
  constructor(scope: Construct, id: string, props: MessagingStackProps) {
    super(scope, id, props);
    // Tables arrive through exports, as in the API stack: a table in use cannot be deleted.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const removalPolicy = props.isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const tablePrefix = props.tablePrefix ?? props.namePrefix;
    this.alarms = new Alarms(this, 'Alarms', {
      namePrefix: props.namePrefix,
      ...(props.alarmTopic && { topic: props.alarmTopic }),
      emails: props.alarmEmails ?? [],
    });
    const queues = new Map<string, QueueWithDlq>();
    for (const definition of props.queues ?? QUEUES) {
      const queue = new QueueWithDlq(this, definition.id, {
        definition,
        namePrefix: props.namePrefix,
        removalPolicy,
      });
      this.alarms.addDeadLetterAlarm(`${definition.id}DeadLetters`, queue.deadLetterQueue, definition.id);
      queues.set(definition.id, queue);
    }
    this.queues = queues;

    const consumers = new Map<string, CoordFunction>();
    for (const consumer of props.consumers ?? CONSUMERS) {
      const queue = this.queueFor(consumer.queue);
      const handler = new CoordFunction(this, consumer.id, {
        logRemovalPolicy: removalPolicy,
        ...props.functionDefaults,
        entry: consumer.entry,
        timeout: Duration.seconds(
          Math.max(1, Math.floor(consumer.queue.visibilityTimeoutSeconds / CONSUMER_TIMEOUT_SHARE)),
        ),
        environment: {
          COORD_STAGE: props.stage,
          COORD_TABLE_PREFIX: tablePrefix,
          COORD_SERVICE_VERSION: SERVICE_VERSION,
        },
      });
      for (const table of props.tables) grantTable(table, handler, 'readWrite');
      queue.addConsumer(handler.function, {
        target: handler.target,
        ...(props.consumerMaxConcurrency !== undefined && { maxConcurrency: props.consumerMaxConcurrency }),
      });
      consumers.set(consumer.id, handler);
    }
    this.consumers = consumers;

    const escalations = queues.get(escalationsQueue.id);
    if (escalations) {
      this.sweeper = new SweeperSchedule(this, 'Sweeper', {
        tables: props.tables,
        escalationsQueue: escalations.queue,
        namePrefix: props.namePrefix,
        removalPolicy,
        functionDefaults: {
          logRemovalPolicy: removalPolicy,
          ...props.functionDefaults,
          environment: {
            COORD_STAGE: props.stage,
            COORD_TABLE_PREFIX: tablePrefix,
            COORD_SERVICE_VERSION: SERVICE_VERSION,
          },
        },
      });
      this.alarms.addDeadLetterAlarm('SweeperDeadLetters', this.sweeper.deadLetterQueue, 'sweeper');
    }

    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarms.topic.topicArn,
      description: 'SNS topic the alarms notify; subscribe to it',
    });
  }

  /**
   * The queue built from this definition.
   * @throws Error when the stack has no such queue.
   */
  public queueFor(definition: QueueDefinition): QueueWithDlq {
    const queue = this.queues.get(definition.id);
    if (!queue) throw new Error(`The messaging stack has no queue ${definition.id}`);
    return queue;
  }
}
