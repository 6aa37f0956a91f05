import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueueName, type QueueDefinition, queueName } from '#adapters/sqs/queues';

/** Properties of a {@link QueueWithDlq}. */
export interface QueueWithDlqProps {
  /** The queue as `src/adapters/sqs/queues.ts` defines it (the local runtime builds the same one). */
  readonly definition: QueueDefinition;
  /** Deployment prefix of the physical names, e.g. `coord-dev` gives `coord-dev-heartbeats`. */
  readonly namePrefix: string;
  /**
   * What happens to both queues when the stack is deleted.
   * @default the queues are deleted with the stack
   */
  readonly removalPolicy?: RemovalPolicy;
}

// Lambda refuses a batch size above 10 for an SQS source without a batching window.
const MAX_BATCH_WITHOUT_WINDOW = 10;

/**
 * A queue and its dead-letter queue from one definition: the visibility timeout, retention and
 * `maxReceiveCount` redrive of the definition, SSE with SQS-managed keys, TLS enforced. Its
 * consumer is attached with {@link QueueWithDlq.addConsumer}, using the definition's batch size
 * and window and reporting batch item failures, so one bad message never retries its batch.
 */
export class QueueWithDlq extends Construct {
  /** The queue producers send to. */
  public readonly queue: Queue;
  /** Where a message goes after `maxReceiveCount` failed receives. */
  public readonly deadLetterQueue: Queue;
  /** The definition both were built from. */
  public readonly definition: QueueDefinition;

  /** @throws Error when the definition asks for a batch Lambda refuses (over 10 without a batching window). */
  constructor(scope: Construct, id: string, props: QueueWithDlqProps) {
    super(scope, id);
    const { definition, namePrefix } = props;
    if (definition.batchSize > MAX_BATCH_WITHOUT_WINDOW && definition.maxBatchingWindowSeconds < 1) {
      throw new Error(
        `Queue ${definition.id}: a batch size of ${definition.batchSize} needs a batching window of at least 1 s`,
      );
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    this.definition = definition;
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: deadLetterQueueName(namePrefix, definition),
      retentionPeriod: Duration.seconds(definition.dlqRetentionPeriodSeconds),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy,
    });
    this.queue = new Queue(this, 'Queue', {
      queueName: queueName(namePrefix, definition),
      visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(definition.retentionPeriodSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy,
    });
  }

  /**
   * Makes `fn` the queue's consumer: an event source mapping with the definition's batch size and
   * batching window that reports batch item failures (it also grants `fn` what consuming needs).
   * @param options.maxConcurrency most concurrent invocations the mapping makes (default: no limit)
   * @param options.target what the mapping invokes, e.g. `fn`'s alias (default: `fn`)
   * @throws Error when `fn` may run longer than the visibility timeout (a message would be
   * delivered again while its first invocation still runs), or `maxConcurrency` is outside 2-1000.
   */
  public addConsumer(
    fn: LambdaFunction,
    options: { readonly maxConcurrency?: number; readonly target?: IFunction } = {},
  ): SqsEventSource {
    const { maxConcurrency } = options;
    if (maxConcurrency !== undefined && (maxConcurrency < 2 || maxConcurrency > 1000)) {
      throw new Error(`Queue ${this.definition.id}: maxConcurrency must be 2-1000, not ${maxConcurrency}`);
    }
    const timeoutSeconds = fn.timeout?.toSeconds() ?? 3;
    if (timeoutSeconds > this.definition.visibilityTimeoutSeconds) {
      throw new Error(
        `Queue ${this.definition.id}: the consumer's timeout (${timeoutSeconds} s) exceeds the visibility timeout (${this.definition.visibilityTimeoutSeconds} s)`,
      );
    }
    const source = new SqsEventSource(this.queue, {
      batchSize: this.definition.batchSize,
      maxBatchingWindow: Duration.seconds(this.definition.maxBatchingWindowSeconds),
      reportBatchItemFailures: true,
      ...(maxConcurrency !== undefined && { maxConcurrency }),
    });
    (options.target ?? fn).addEventSource(source);
    return source;
  }
}
