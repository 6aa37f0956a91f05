import { Type } from '@sinclair/typebox';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { NotFoundError, RateLimitedError, UnavailableError } from '#core/errors';
import { tracer } from '#functions/shared/observability';
import { queueConsumer } from '#functions/shared/queue';
import { sqsRecordOf } from '#local/pollers/sqs-poller';
import { lambdaContext } from '../support/api-event';
import { captureOutput, dimensionClashes, overlapping, publishedUnder } from '../support/emitted-metrics';

// Expected failures log errors and count metrics; keep the run's output readable.
vi.hoisted(() => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
});

const Ping = Type.Object({ key: Type.String(), n: Type.Integer() }, { additionalProperties: false });
type Ping = { key: string; n: number };

const eventOf = (bodies: readonly unknown[]): SQSEvent => ({
  Records: bodies.map((body, index) =>
    sqsRecordOf(
      {
        MessageId: `m-${index}`,
        ReceiptHandle: `rh-${index}`,
        Body: typeof body === 'string' ? body : JSON.stringify(body),
      },
      'arn:aws:sqs:us-east-1:000000000000:pings',
      'us-east-1',
    ),
  ),
});

/** A consumer whose `handle` records each call and fails as `failFor` says. */
const recordingConsumer = (failFor: (messages: readonly Ping[]) => Error | undefined, grouped = true) => {
  const calls: Ping[][] = [];
  const handler = queueConsumer<Ping>({
    queue: 'pings',
    schema: Ping,
    ...(grouped ? { groupBy: (ping: Ping) => ping.key } : {}),
    handle: async (messages) => {
      calls.push([...messages]);
      const error = failFor(messages);
      if (error) throw error;
    },
  });
  return { handler, calls };
};

describe('queueConsumer', () => {
  it('handles the messages of one key in one call and reports no failures', async () => {
    const { handler, calls } = recordingConsumer(() => undefined);

    const answer = await handler(
      eventOf([
        { key: 'a', n: 1 },
        { key: 'b', n: 2 },
        { key: 'a', n: 3 },
      ]),
      lambdaContext(),
    );

    expect(answer).toEqual({ batchItemFailures: [] });
    expect(calls).toEqual([
      [
        { key: 'a', n: 1 },
        { key: 'a', n: 3 },
      ],
      [{ key: 'b', n: 2 }],
    ]);
  });

  it('handles each message alone without a groupBy', async () => {
    const { handler, calls } = recordingConsumer(() => undefined, false);

    await handler(
      eventOf([
        { key: 'a', n: 1 },
        { key: 'a', n: 2 },
      ]),
      lambdaContext(),
    );

    expect(calls).toEqual([[{ key: 'a', n: 1 }], [{ key: 'a', n: 2 }]]);
  });

  it('fails a body that is not JSON or not of the schema, alone, and never hands it over', async () => {
    const { handler, calls } = recordingConsumer(() => undefined);

    const answer = await handler(
      eventOf(['{oops', { key: 'a', n: 1 }, { key: 'a', n: 'one' }, { key: 'a', n: 2, extra: true }]),
      lambdaContext(),
    );

    expect(answer.batchItemFailures).toEqual([
      { itemIdentifier: 'm-0' },
      { itemIdentifier: 'm-2' },
      { itemIdentifier: 'm-3' },
    ]);
    expect(calls).toEqual([[{ key: 'a', n: 1 }]]);
  });

  it.each([
    ['UnavailableError', new UnavailableError('busy')],
    ['RateLimitedError', new RateLimitedError(1, 'later')],
  ])('fails every message of a group refused with %s, and only those', async (_name, refusal) => {
    const { handler } = recordingConsumer((messages) => (messages[0]?.key === 'b' ? refusal : undefined));

    const answer = await handler(
      eventOf([
        { key: 'a', n: 1 },
        { key: 'b', n: 2 },
        { key: 'b', n: 3 },
      ]),
      lambdaContext(),
    );

    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }]);
  });

  it('fails the message on an unexpected error too, so SQS retries it and then dead-letters it', async () => {
    const { handler } = recordingConsumer(() => new TypeError('bug'));

    const answer = await handler(eventOf([{ key: 'a', n: 1 }]), lambdaContext());

    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
  });

  it('drops the messages of a group refused by a domain error: a retry would be refused again', async () => {
    const { handler, calls } = recordingConsumer((messages) =>
      messages[0]?.key === 'gone' ? new NotFoundError('agent', 'gone') : undefined,
    );

    const answer = await handler(
      eventOf([
        { key: 'gone', n: 1 },
        { key: 'a', n: 2 },
      ]),
      lambdaContext(),
    );

    expect(answer.batchItemFailures).toEqual([]);
    expect(calls).toHaveLength(2);
  });
});

describe('queueConsumer tracing', () => {
  it('annotates each group’s subsegment with its sender’s request id and the facts of its messages', async () => {
    const annotations: Record<string, Record<string, unknown>> = {};
    // The invocation's segment as X-Ray's SDK would give it; every subsegment made records its annotations.
    const segment = (own: Record<string, unknown>): unknown => ({
      addNewSubsegment: (name: string) => {
        annotations[name] = {};
        return segment(annotations[name]);
      },
      addAnnotation: (key: string, value: unknown) => {
        own[key] = value;
      },
      addMetadata: () => undefined,
      addError: () => undefined,
      addErrorFlag: () => undefined,
      close: () => undefined,
      flush: () => undefined,
      isClosed: () => false,
    });
    vi.spyOn(tracer, 'isTracingEnabled').mockReturnValue(true);
    vi.spyOn(tracer, 'getSegment').mockReturnValue(segment({}) as ReturnType<typeof tracer.getSegment>);
    vi.spyOn(tracer, 'setSegment').mockImplementation(() => undefined);
    const handler = queueConsumer<Ping>({
      queue: 'pings',
      schema: Ping,
      groupBy: (ping) => ping.key,
      facts: (ping) => ({ agent: `ag_${ping.key}` }),
      handle: async () => undefined,
    });
    const event = eventOf([
      { key: 'a', n: 1 },
      { key: 'b', n: 2 },
    ]);
    event.Records[0] = {
      ...(event.Records[0] as SQSEvent['Records'][number]),
      messageAttributes: {
        requestId: { dataType: 'String', stringValue: 'req-1', stringListValues: [], binaryListValues: [] },
      },
    };

    try {
      await handler(event, lambdaContext());
    } finally {
      vi.restoreAllMocks();
    }

    expect(
      Object.fromEntries(Object.entries(annotations).filter(([name]) => name.startsWith('### '))),
    ).toEqual({
      '### pings a': { agent: 'ag_a', requestId: 'req-1' },
      '### pings b': { agent: 'ag_b' },
    });
  });
});

describe('queueConsumer metrics', () => {
  it('publishes each queue’s metrics under its own queue dimension when batches overlap', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.stubEnv('POWERTOOLS_DEV', 'false');
    try {
      const handle = overlapping(2);
      const first = queueConsumer<Ping>({
        queue: 'overlap-first',
        schema: Ping,
        groupBy: () => 'all',
        handle,
      });
      const second = queueConsumer<Ping>({
        queue: 'overlap-second',
        schema: Ping,
        groupBy: () => 'all',
        handle,
      });
      const pings = (count: number) => Array.from({ length: count }, (_, n) => ({ key: 'k', n }));

      const lines = await captureOutput(() =>
        Promise.all([first(eventOf(pings(2)), lambdaContext()), second(eventOf(pings(3)), lambdaContext())]),
      );

      expect(dimensionClashes(lines)).toEqual([]);
      expect(publishedUnder(lines, 'queue', 'queueMessagesHandled')).toEqual([
        ['overlap-first', 2],
        ['overlap-second', 3],
      ]);
    } finally {
      vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    }
  });
});
