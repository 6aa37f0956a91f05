import { Type } from '@sinclair/typebox';
import { beforeEach, describe, expect, it, vi } from 'vitest';

/** Every chain's tracer middleware, recorded with the options it was given. */
const traced = vi.hoisted(() => ({ options: [] as unknown[] }));
vi.mock('@aws-lambda-powertools/tracer/middleware', async (original) => {
  const real = await original<typeof import('@aws-lambda-powertools/tracer/middleware')>();
  return {
    ...real,
    captureLambdaHandler: (...args: Parameters<typeof real.captureLambdaHandler>) => {
      traced.options.push(args[1]);
      return real.captureLambdaHandler(...args);
    },
  };
});

const { TRACE_OPTIONS } = await import('#functions/shared/observability');
const { queueConsumer } = await import('#functions/shared/queue');
const { scheduledTask } = await import('#functions/shared/scheduled');
const { streamConsumer } = await import('#functions/shared/stream-consumer');
const { wsRoute } = await import('#functions/shared/ws');
const { routes } = await import('#functions/shared/routes');
const { testHttpRoute } = await import('../support/runtime');

describe('tracing', () => {
  beforeEach(() => {
    traced.options.length = 0;
  });

  it('never records reply bodies, which carry tokens', () => {
    expect(TRACE_OPTIONS).toEqual({ captureResponse: false });
  });

  it('gives the no-reply option to every chain builder', () => {
    testHttpRoute(routes.health, async () => ({ status: 200 }));
    wsRoute('wsDefault', async () => undefined);
    queueConsumer({ queue: 'q', schema: Type.Object({}), handle: async () => undefined });
    streamConsumer({ consumer: 'c', handle: async () => undefined });
    scheduledTask({ task: 't', run: async () => undefined });

    expect(traced.options).toHaveLength(5);
    for (const options of traced.options) expect(options).toMatchObject({ captureResponse: false });
  });
});
