import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callBudgetMs, callTiming, clientConfig } from '#adapters/client-config';

describe('callTiming', () => {
  it('gives a 10 s function two attempts of 3.5 s, ending 2 s before its timeout', () => {
    expect(callTiming(10_000)).toEqual({ maxAttempts: 2, requestTimeoutMs: 3500, connectionTimeoutMs: 3000 });
  });

  it('gives a 3 s function one attempt of 2 s', () => {
    expect(callTiming(3000)).toEqual({ maxAttempts: 1, requestTimeoutMs: 2000, connectionTimeoutMs: 2000 });
  });

  it('ends every call, retry delay included, at least a second before the function times out', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 900_000 }), (timeoutMs) => {
        const { maxAttempts, requestTimeoutMs, connectionTimeoutMs } = callTiming(timeoutMs);
        const worst = maxAttempts * requestTimeoutMs + (maxAttempts - 1) * 1000;
        expect(worst).toBeLessThanOrEqual(callBudgetMs(timeoutMs));
        expect(callBudgetMs(timeoutMs)).toBeLessThanOrEqual(Math.max(200, timeoutMs - 1000));
        expect(connectionTimeoutMs).toBeLessThanOrEqual(requestTimeoutMs);
        expect(requestTimeoutMs).toBeGreaterThan(0);
      }),
    );
  });
});

describe('clientConfig', () => {
  it('keeps the SDK default attempts and a 10 s request time outside Lambda', () => {
    const config = clientConfig({ region: 'eu-west-1' });
    expect(config).not.toHaveProperty('maxAttempts');
    expect(config.requestHandler).toMatchObject({ requestTimeout: 10_000, throwOnRequestTimeout: true });
  });

  it('sizes attempts and request time from the function timeout', () => {
    const config = clientConfig({ region: 'eu-west-1', functionTimeoutMs: 10_000 });
    expect(config).toMatchObject({ maxAttempts: 2, requestHandler: { requestTimeout: 3500 } });
  });

  it('lets an explicit request time win (a long poll)', () => {
    const config = clientConfig({ region: 'eu-west-1', functionTimeoutMs: 10_000, requestTimeoutMs: 25_000 });
    expect(config.requestHandler.requestTimeout).toBe(25_000);
  });
});
