import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { eventToItem } from '#adapters/dynamo/records';
import { NotFoundError, UnavailableError } from '#core/errors';
import type { AuditEvent } from '#core/model';
import { streamConsumer } from '#functions/shared/stream-consumer';
import { anEvent } from '#test/support/builders';
import { lambdaContext } from '../support/api-event';
import { captureOutput, dimensionClashes, overlapping, publishedUnder } from '../support/emitted-metrics';

let sequence = 100;
const record = (
  image: Record<string, unknown>,
  eventName: DynamoDBRecord['eventName'] = 'INSERT',
): DynamoDBRecord => {
  sequence += 1;
  return {
    eventName,
    dynamodb: { NewImage: marshall(image) as never, SequenceNumber: String(sequence) },
  };
};

const streamEvent = (...records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });

describe('streamConsumer', () => {
  it('hands over only new audit events, in stream order, skipping other rows and changes', async () => {
    const seen: AuditEvent[] = [];
    const handler = streamConsumer({ consumer: 'test', handle: async (events) => seen.push(...events) });
    const [first, second] = [anEvent({ seq: 1 }), anEvent({ seq: 2 })];

    const answer = await handler(
      streamEvent(
        record(eventToItem(first)),
        record({ pk: 'IMPORT#x', sk: 'identity', action: 'work.created' }),
        record(eventToItem(anEvent()), 'MODIFY'),
        record(eventToItem(second)),
      ),
      lambdaContext(),
    );

    expect(answer).toEqual({ batchItemFailures: [] });
    expect(seen).toEqual([first, second]);
  });

  it('fails the batch from its first record when a dependency is unavailable, so it is retried', async () => {
    const handler = streamConsumer({
      consumer: 'test',
      handle: async () => {
        throw new UnavailableError();
      },
    });
    const records = [record(eventToItem(anEvent())), record(eventToItem(anEvent()))];

    const answer = await handler(streamEvent(...records), lambdaContext());

    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: records[0]?.dynamodb?.SequenceNumber }] });
  });

  it('gives up a batch whose handling is refused for good', async () => {
    const handler = streamConsumer({
      consumer: 'test',
      handle: async () => {
        throw new NotFoundError('Work item', 'wi_gone');
      },
    });

    const answer = await handler(streamEvent(record(eventToItem(anEvent()))), lambdaContext());

    expect(answer).toEqual({ batchItemFailures: [] });
  });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('streamConsumer metrics', () => {
  it('publishes each consumer’s metrics under its own consumer dimension when batches overlap', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.stubEnv('POWERTOOLS_DEV', 'false');
    const handle = overlapping(2);
    const broadcaster = streamConsumer({ consumer: 'broadcaster', handle });
    const rollup = streamConsumer({ consumer: 'metricsRollup', handle });
    const batch = (records: number) => ({
      Records: Array.from({ length: records }, (_, at) => ({
        eventName: 'INSERT' as const,
        dynamodb: { NewImage: marshall(eventToItem(anEvent())) as never, SequenceNumber: String(at + 1) },
      })),
    });

    const lines = await captureOutput(() =>
      Promise.all([broadcaster(batch(2), lambdaContext()), rollup(batch(3), lambdaContext())]),
    );

    expect(dimensionClashes(lines)).toEqual([]);
    expect(publishedUnder(lines, 'consumer', 'streamRecords')).toEqual([
      ['broadcaster', 2],
      ['metricsRollup', 3],
    ]);
  });
});
