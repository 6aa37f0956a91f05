import middy from '@middy/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  annotateTrace,
  messageOriginAttributes,
  metrics,
  observeMetrics,
  originOfAttributes,
  recordHeartbeatLag,
  recordQueueDepth,
  requestFacts,
  TIMEOUT_FLUSH_MARGIN_MS,
  tracer,
  withMessageOrigin,
} from '#functions/shared/observability';
import { lambdaContext } from '../support/api-event';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** A handler that runs until `release` is called, with a context that has `remainingMs` left. */
const slowInvocation = (remainingMs: number) => {
  let release: () => void = () => undefined;
  const handler = middy()
    .use(observeMetrics())
    .handler(async () => {
      metrics.addMetric('probe', 'Count', 1);
      await new Promise<void>((done) => {
        release = done;
      });
    });
  const context = { ...lambdaContext(), getRemainingTimeInMillis: () => remainingMs };
  const done = handler({}, context);
  return { done, release: () => release() };
};

describe('observeMetrics', () => {
  it('flushes the buffered metrics just before the invocation would time out', async () => {
    vi.useFakeTimers();
    const publish = vi.spyOn(metrics, 'publishStoredMetrics');
    const { done, release } = slowInvocation(3000);
    await vi.advanceTimersByTimeAsync(3000 - TIMEOUT_FLUSH_MARGIN_MS - 1);
    expect(publish).not.toHaveBeenCalled();

    await vi.advanceTimersByTimeAsync(1);
    expect(publish).toHaveBeenCalledTimes(1);
    release();
    await done;
  });

  it('sets no flush once the invocation has ended in time', async () => {
    vi.useFakeTimers();
    const { done, release } = slowInvocation(3000);
    release();
    await done;
    const publish = vi.spyOn(metrics, 'publishStoredMetrics');
    await vi.advanceTimersByTimeAsync(5000);
    expect(publish).not.toHaveBeenCalled();
  });
});

describe('requestFacts', () => {
  it('names the calling agent, the work item of the path and the team of the token', () => {
    expect(
      requestFacts('/v1/work/{id}/complete', {
        principal: { agentId: 'ag_1', team: 'red' },
        params: { id: 'wi_9' },
      }),
    ).toEqual({ agent: 'ag_1', work: 'wi_9', team: 'red' });
  });

  it('takes the agent from an agent path and the team from the body or the query', () => {
    expect(requestFacts('/v1/agents/{id}', { params: { id: 'ag_2' }, body: { team: 'blue' } })).toEqual({
      agent: 'ag_2',
      team: 'blue',
    });
    expect(requestFacts('/v1/work', { query: { team: 'green' } })).toEqual({ team: 'green' });
  });

  it('leaves out what the request does not name', () => {
    expect(requestFacts('/v1/health', { params: { id: '' }, body: 'text' })).toEqual({});
  });
});

describe('annotateTrace', () => {
  it('puts each fact on the trace as an annotation', () => {
    const put = vi.spyOn(tracer, 'putAnnotation').mockImplementation(() => undefined);
    annotateTrace({ agent: 'ag_1', work: 'wi_9' });
    expect(put.mock.calls).toEqual([
      ['agent', 'ag_1'],
      ['work', 'wi_9'],
    ]);
  });
});

describe('the origin of queue messages', () => {
  it('gives the running invocation’s request id as a message attribute, and nothing outside one', () => {
    expect(withMessageOrigin({ requestId: 'req-1' }, () => messageOriginAttributes())).toEqual({
      requestId: 'req-1',
    });
    expect(messageOriginAttributes()).toEqual({});
  });

  it('keeps the request ids of invocations running side by side apart across their awaits', async () => {
    const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const sent = await Promise.all(
      ['req-a', 'req-b'].map((requestId, index) =>
        withMessageOrigin({ requestId }, async () => {
          await later(index === 0 ? 20 : 1);
          return messageOriginAttributes().requestId;
        }),
      ),
    );
    expect(sent).toEqual(['req-a', 'req-b']);
  });

  it('reads the origin back from a record’s message attributes', () => {
    expect(
      originOfAttributes({
        requestId: { stringValue: 'req-1' },
        traceHeader: { stringValue: 'Root=1-abc;Parent=def;Sampled=1' },
      }),
    ).toEqual({ requestId: 'req-1', traceHeader: 'Root=1-abc;Parent=def;Sampled=1' });
    expect(originOfAttributes({})).toEqual({});
  });
});

/** The EMF documents written to stdout while `act` runs. */
const emfWrittenBy = (act: () => void): Record<string, unknown>[] => {
  const written: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    act();
  } finally {
    stdout.mockRestore();
  }
  return written
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
};

describe('recordQueueDepth', () => {
  it('emits the work items per status, summed over the teams, one status per document', () => {
    const documents = emfWrittenBy(() =>
      recordQueueDepth({ red: { ready: 3, claimed: 1 }, blue: { ready: 2, claimed: 0 } }),
    );

    expect(documents.map((document) => [document.status, document['queue.depth']])).toEqual([
      ['ready', 5],
      ['claimed', 1],
    ]);
    expect(documents[0]?.service).toBe('coord');
  });
});

describe('recordHeartbeatLag', () => {
  afterEach(() => {
    metrics.clearMetrics();
  });

  it('records how long ago the oldest of the applied heartbeats was accepted', () => {
    recordHeartbeatLag(
      metrics,
      ['2026-03-02T12:00:01.000Z', '2026-03-02T12:00:00.500Z', 'not a time'],
      new Date('2026-03-02T12:00:02.000Z'),
    );

    expect(metrics.serializeMetrics()).toMatchObject({ 'heartbeat.lag': 1500 });
  });

  it('records nothing without a readable time', () => {
    recordHeartbeatLag(metrics, ['never'], new Date());

    expect(metrics.serializeMetrics()).not.toHaveProperty('heartbeat.lag');
  });
});
