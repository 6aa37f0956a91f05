import type { MetricsStore } from '#core/metrics/ports';

/** What metrics use cases need besides the core ports. */
export interface MetricsPorts {
  readonly metrics: MetricsStore;
}
