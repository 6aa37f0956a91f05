import { describe, expect, it, vi } from 'vitest';
import { systemRoutes } from '#functions/shared/routes/system';
import { invoke } from '../support/api-event';
import { dimensionClashes, overlapping, publishedUnder, publishing } from '../support/emitted-metrics';
import { testHttpRoute } from '../support/runtime';

// Expected failures log errors; keep the run's output readable.
vi.hoisted(() => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
});

describe('HTTP route metrics', () => {
  it('publishes each route’s answers and unhandled errors under its own route when invocations overlap', async () => {
    const lines = await publishing(async () => {
      const bothStarted = overlapping(2);
      const health = testHttpRoute(systemRoutes.health, async () => {
        await bothStarted();
        return { status: 200, body: { status: 'ok' } };
      });
      const openapi = testHttpRoute(systemRoutes.openapi, async () => {
        await bothStarted();
        throw new Error('unexpected');
      });

      const answers = await Promise.all([
        invoke(health, { method: 'GET', path: '/v1/health' }),
        invoke(openapi, { method: 'GET', path: '/openapi.json' }),
      ]);

      expect(answers.map((answer) => answer.status)).toEqual([200, 500]);
    });

    expect(dimensionClashes(lines)).toEqual([]);
    expect(publishedUnder(lines, 'route', 'http2xx')).toEqual([['health', 1]]);
    expect(publishedUnder(lines, 'route', 'http5xx')).toEqual([['openapi', 1]]);
    expect(publishedUnder(lines, 'route', 'unhandledErrors')).toEqual([['openapi', 1]]);
  });
});
