/**
 * The SQS queues, as pure data. The CDK messaging stack (`lib/`) and the local runtime
 * (`local/`, CreateQueue) both build queues from these definitions, so cloud and laptop
 * cannot drift. No SDK imports here.
 */

/** One queue and its dead-letter queue. */
export interface QueueDefinition {
  /** Logical name: the CDK construct id and the suffix of the physical name. */
  readonly id: string;
  /** How long a received message stays hidden from other consumers. */
  readonly visibilityTimeoutSeconds: number;
  /** How long an unconsumed message is kept. */
  readonly retentionPeriodSeconds: number;
  /** Receives before a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** How long a dead-lettered message is kept (the longest SQS allows, so nothing is lost unseen). */
  readonly dlqRetentionPeriodSeconds: number;
  /** Messages per consumer invocation (the SQS event source's batch size). */
  readonly batchSize: number;
  /** How long the event source gathers a batch before invoking. */
  readonly maxBatchingWindowSeconds: number;
  /**
   * Oldest a message may get while the consumer keeps up: the queue's age alarm fires when its
   * oldest message stays older than this for 3 minutes (the consumer is failing, throttled or
   * stopped).
   */
  readonly ageAlarmSeconds: number;
}

const FOURTEEN_DAYS_SECONDS = 14 * 24 * 3600;

/** Heartbeats: validated at the HTTP API, coalesced per agent by a batch consumer. */
export const heartbeatsQueue: QueueDefinition = {
  id: 'heartbeats',
  visibilityTimeoutSeconds: 30,
  retentionPeriodSeconds: 3600,
  maxReceiveCount: 5,
  dlqRetentionPeriodSeconds: FOURTEEN_DAYS_SECONDS,
  batchSize: 100,
  maxBatchingWindowSeconds: 1,
  // An agent is marked offline after missing heartbeats: a minute of delay is already too much.
  ageAlarmSeconds: 60,
};

/** Escalations: recorded, pushed to admins, optionally assessed by Claude. */
export const escalationsQueue: QueueDefinition = {
  id: 'escalations',
  visibilityTimeoutSeconds: 120,
  retentionPeriodSeconds: 4 * 24 * 3600,
  maxReceiveCount: 5,
  dlqRetentionPeriodSeconds: FOURTEEN_DAYS_SECONDS,
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  // Two receives (a failed attempt, then its retry after the visibility timeout) fit in 5 minutes.
  ageAlarmSeconds: 300,
};

/**
 * Webhook deliveries: one message per webhook and event. A failed attempt hides its message for
 * its backoff (ChangeMessageVisibility); after `maxReceiveCount` receives it is dead-lettered.
 */
export const webhooksQueue: QueueDefinition = {
  id: 'webhooks',
  // Six times the consumer's timeout (10 s): a batch's POSTs run side by side, each at most 5 s.
  visibilityTimeoutSeconds: 60,
  retentionPeriodSeconds: 4 * 24 * 3600,
  maxReceiveCount: 8,
  dlqRetentionPeriodSeconds: FOURTEEN_DAYS_SECONDS,
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  // A delivery to a failing receiver waits out its backoff between attempts: with the default
  // backoff (10 s base, 900 s cap) its 8 receives span about 36 minutes, so an hour means the
  // queue itself is not moving.
  ageAlarmSeconds: 3600,
};

/** Every queue the service uses. */
export const QUEUES: readonly QueueDefinition[] = [heartbeatsQueue, escalationsQueue, webhooksQueue];

/** Physical queue name for a deployment prefix, e.g. `coord-dev-heartbeats`. */
export const queueName = (prefix: string, queue: QueueDefinition): string => `${prefix}-${queue.id}`;

/** Physical name of a queue's dead-letter queue, e.g. `coord-dev-heartbeats-dlq`. */
export const deadLetterQueueName = (prefix: string, queue: QueueDefinition): string =>
  `${queueName(prefix, queue)}-dlq`;
