import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StreamConsumerDefinition } from '#functions/shared/streams';
import { CoordFunction, type CoordFunctionProps } from './coord-function';

/** Properties of a {@link StreamConsumer}. */
export interface StreamConsumerProps {
  /** The consumer as `functions/shared/streams.ts` defines it (the local runtime runs the same one). */
  readonly definition: StreamConsumerDefinition;
  /** The table whose stream feeds the consumer; it must have a stream. */
  readonly table: ITable;
  /** Prefix of the failure queue's name, e.g. `coord-dev` gives `coord-dev-broadcaster-failures`. */
  readonly namePrefix: string;
  /**
   * Only records whose new image's partition key starts with this prefix reach the consumer.
   * @default every inserted record
   */
  readonly partitionKeyPrefix?: string;
  /**
   * What happens to the failure queue when the stack is deleted.
   * @default the queue is deleted with the stack
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Settings of the function (environment, memory, bundling, project root).
   * @default the {@link CoordFunction} defaults
   */
  readonly functionDefaults?: Omit<CoordFunctionProps, 'entry'>;
}

// The longest SQS keeps a message, so a record given up on is never lost unseen.
const FAILURE_RETENTION = Duration.days(14);

/**
 * A DynamoDB stream consumer: its function, an event source mapping with the definition's batch
 * size, window and retries, bisecting a failing batch so one bad record is isolated, reporting
 * batch item failures, and sending what it gives up on (the records' coordinates) to an SQS
 * queue. Only inserts reach it: the table's TTL deletions and updates are filtered out by Lambda
 * before any invocation is paid for.
 */
export class StreamConsumer extends Construct {
  /** The consumer function. */
  public readonly handler: CoordFunction;
  /** Where the coordinates of records given up on go (redrive them by reading the stream or table). */
  public readonly failureQueue: Queue;
  /** The event source mapping. */
  public readonly source: DynamoEventSource;

  /** @throws Error when the table has no stream. */
  constructor(scope: Construct, id: string, props: StreamConsumerProps) {
    super(scope, id);
    const { definition, table } = props;
    if (!table.tableStreamArn) {
      throw new Error(`Stream consumer ${definition.id}: table ${definition.table.id} has no stream`);
    }
    this.handler = new CoordFunction(this, 'Function', {
      ...props.functionDefaults,
      entry: definition.entry,
    });
    this.failureQueue = new Queue(this, 'Failures', {
      queueName: `${props.namePrefix}-${definition.id}-failures`,
      retentionPeriod: FAILURE_RETENTION,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });

    const partitionKey = definition.table.partitionKey.name;
    this.source = new DynamoEventSource(table, {
      startingPosition: StartingPosition.LATEST,
      batchSize: definition.batchSize,
      maxBatchingWindow: Duration.seconds(definition.maxBatchingWindowSeconds ?? 0),
      retryAttempts: definition.retryAttempts,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      onFailure: new SqsDlq(this.failureQueue),
      filters: [
        FilterCriteria.filter({
          eventName: FilterRule.isEqual('INSERT'),
          ...(props.partitionKeyPrefix !== undefined && {
            dynamodb: {
              NewImage: { [partitionKey]: { S: FilterRule.beginsWith(props.partitionKeyPrefix) } },
            },
          }),
        }),
      ],
    });
    this.handler.target.addEventSource(this.source);
  }
}
