import { describe, expect, it } from 'vitest';
import { METRICS_NAMESPACE, SERVICE_NAME } from '#functions/shared/observability';
import { EMITTED_METRICS } from '../../lib/emitted-metrics';

describe('the metrics the stacks read', () => {
  it('are in the namespace and under the service the handlers publish with', () => {
    expect(EMITTED_METRICS).toEqual({ namespace: METRICS_NAMESPACE, service: SERVICE_NAME });
  });
});
