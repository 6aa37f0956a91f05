import middy from '@middy/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { metrics, observeMetrics, TIMEOUT_FLUSH_MARGIN_MS } from '#functions/shared/observability';
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
