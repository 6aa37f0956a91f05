/**
 * One SQS poller per queue consumer of `functions/shared/consumers.ts`, each invoking that
 * consumer's handler module (the file Lambda runs) with the batch settings CDK gives its event
 * source mapping.
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { ConsumerDefinition } from '#functions/shared/consumers';
import type { InvocationObservation } from '../otel';
import { type SqsHandler, type SqsPoller, startSqsPoller } from './sqs-poller';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Imports a consumer's handler module the way Lambda loads it. */
export const importConsumer = async (consumer: Pick<ConsumerDefinition, 'entry'>): Promise<SqsHandler> => {
  const module = (await import(pathToFileURL(join(PROJECT_ROOT, consumer.entry)).href)) as {
    handler?: unknown;
  };
  if (typeof module.handler !== 'function') throw new Error(`${consumer.entry} exports no handler function`);
  return module.handler as SqsHandler;
};

/** Options for {@link startConsumerPollers}. */
export interface ConsumerPollersOptions {
  readonly sqs: SQSClient;
  readonly consumers: readonly ConsumerDefinition[];
  /** The URL of each queue, by queue id. */
  readonly queueUrlOf: (queueId: string) => string;
  /** @default us-east-1 */
  readonly region?: string;
  /** @default writes to stderr */
  readonly onError?: (consumer: ConsumerDefinition, error: unknown) => void;
  /** Watches every invocation of a consumer (e.g. as a trace span). @default none */
  readonly observe?: (consumer: ConsumerDefinition, records: readonly SQSRecord[]) => InvocationObservation;
}

/** Starts every consumer's poller; `stop()` stops them all. */
export const startConsumerPollers = (options: ConsumerPollersOptions): SqsPoller => {
  const { observe } = options;
  const pollers = options.consumers.map((consumer) =>
    startSqsPoller({
      sqs: options.sqs,
      queueUrl: options.queueUrlOf(consumer.queue.id),
      loadHandler: () => importConsumer(consumer),
      batchSize: consumer.queue.batchSize,
      maxBatchingWindowMs: consumer.queue.maxBatchingWindowSeconds * 1000,
      functionName: `coord-local-${consumer.id}`,
      ...(options.region ? { region: options.region } : {}),
      ...(options.onError ? { onError: (error: unknown) => options.onError?.(consumer, error) } : {}),
      ...(observe ? { observe: (records: readonly SQSRecord[]) => observe(consumer, records) } : {}),
    }),
  );
  return {
    stop: async () => {
      await Promise.all(pollers.map((poller) => poller.stop()));
    },
  };
};
