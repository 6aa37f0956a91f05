import { afterEach, describe, expect, it, vi } from 'vitest';
import { type WsEvent, wsRoute } from '#functions/shared/ws';
import { lambdaContext } from '../support/api-event';
import { dimensionClashes, overlapping, publishedUnder, publishing } from '../support/emitted-metrics';

// Expected failures log errors; keep the run's output readable.
vi.hoisted(() => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
});

afterEach(() => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
});

const eventOf = (routeKey: string, connectionId: string): WsEvent => ({
  requestContext: {
    routeKey,
    connectionId,
    eventType: 'MESSAGE',
    requestId: `req-${connectionId}`,
    domainName: 'ws.example.test',
    stage: 'live',
  },
  body: '{}',
});

describe('wsRoute metrics', () => {
  it('publishes each route’s invocations and errors under its own route when invocations overlap', async () => {
    const lines = await publishing(async () => {
      const bothStarted = overlapping(2);
      const connect = wsRoute('wsConnect', bothStarted);
      const message = wsRoute('wsMessage', async () => {
        await bothStarted();
        throw new Error('unexpected');
      });

      const answers = await Promise.all([
        connect(eventOf('$connect', 'c1'), lambdaContext()),
        message(eventOf('$default', 'c2'), lambdaContext()),
      ]);

      expect(answers.map((answer) => answer.statusCode)).toEqual([200, 500]);
    });

    expect(dimensionClashes(lines)).toEqual([]);
    expect(publishedUnder(lines, 'route', 'wsInvocations')).toEqual([
      ['wsConnect', 1],
      ['wsMessage', 1],
    ]);
    expect(publishedUnder(lines, 'route', 'wsErrors')).toEqual([['wsMessage', 1]]);
  });
});
