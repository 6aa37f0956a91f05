/**
 * The queue consumers: which handler module consumes which queue. Like `routes.ts` it is pure
 * data: CDK (`lib/stacks/messaging-stack.ts`) makes one function and event source mapping per
 * entry, and the local runtime one poller per entry, so both run the same handlers with the
 * batch settings of the queue's definition.
 */
import { escalationsQueue, heartbeatsQueue, type QueueDefinition, webhooksQueue } from '#adapters/sqs/queues';

/** One queue consumer. */
export interface ConsumerDefinition {
  /** Stable id: the consumer function's logical name. */
  readonly id: string;
  /** The queue it consumes (batch size, batching window and visibility timeout come from here). */
  readonly queue: QueueDefinition;
  /** Handler module, relative to the project root; it exports `handler`. */
  readonly entry: string;
}

/** Every queue consumer. */
export const CONSUMERS: readonly ConsumerDefinition[] = [
  { id: 'heartbeatsConsumer', queue: heartbeatsQueue, entry: 'functions/queues/heartbeats.ts' },
  { id: 'escalationsConsumer', queue: escalationsQueue, entry: 'functions/queues/record-escalations.ts' },
  { id: 'webhooksConsumer', queue: webhooksQueue, entry: 'functions/queues/webhook-deliver.ts' },
];
