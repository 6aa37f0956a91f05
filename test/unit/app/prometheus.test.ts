import { describe, expect, it } from 'vitest';
import { prometheusText } from '#app/prometheus';
import type { MetricsSummaryView } from '#app/schemas/metrics';

const summary = (overrides: Partial<MetricsSummaryView> = {}): MetricsSummaryView => ({
  window: '1h',
  from: '2026-03-02T08:00:00.000Z',
  to: '2026-03-02T09:00:00.000Z',
  throughput: { claims: 12, completions: 9, failures: 2 },
  latencyMs: { p50: 14, p95: 80.5, p99: null },
  conflicts: 3,
  leaseExpiries: 1,
  escalations: 4,
  queueDepth: { ready: 5, claimed: 2 },
  queueDepthByTeam: { core: { ready: 5 }, web: { claimed: 2 } },
  series: [],
  ...overrides,
});

/** The sample lines (not comments) of the text. */
const samples = (text: string) => text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));

describe('prometheusText', () => {
  it('writes each figure as a gauge family with HELP and TYPE, labelled by window', () => {
    const text = prometheusText([summary()]);

    expect(text.endsWith('\n')).toBe(true);
    expect(text).toContain(
      '# HELP coord_claims Claims in the window.\n# TYPE coord_claims gauge\ncoord_claims{window="1h"} 12\n',
    );
    expect(samples(text)).toEqual([
      'coord_claims{window="1h"} 12',
      'coord_completions{window="1h"} 9',
      'coord_failures{window="1h"} 2',
      'coord_conflicts{window="1h"} 3',
      'coord_lease_expiries{window="1h"} 1',
      'coord_escalations{window="1h"} 4',
      'coord_claim_latency_ms{window="1h",quantile="0.5"} 14',
      'coord_claim_latency_ms{window="1h",quantile="0.95"} 80.5',
      'coord_claim_latency_ms{window="1h",quantile="0.99"} NaN',
      'coord_queue_depth{team="core",status="ready"} 5',
      'coord_queue_depth{team="web",status="claimed"} 2',
    ]);
    expect(text.match(/^# TYPE \S+ gauge$/gm)).toHaveLength(8);
  });

  it('writes one sample per window, and the queue depth once (it is the same now in every window)', () => {
    const text = prometheusText([
      summary({ window: '15m', throughput: { claims: 1, completions: 0, failures: 0 } }),
      summary({ window: '24h', queueDepthByTeam: { other: { ready: 99 } } }),
    ]);

    expect(samples(text).filter((line) => line.startsWith('coord_claims{'))).toEqual([
      'coord_claims{window="15m"} 1',
      'coord_claims{window="24h"} 12',
    ]);
    expect(samples(text).filter((line) => line.startsWith('coord_queue_depth'))).toEqual([
      'coord_queue_depth{team="core",status="ready"} 5',
      'coord_queue_depth{team="web",status="claimed"} 2',
    ]);
  });

  it('escapes backslashes, quotes and newlines in label values', () => {
    const text = prometheusText([summary({ queueDepthByTeam: { 'a"b\\c\nd': { ready: 1 } } })]);

    expect(text).toContain('coord_queue_depth{team="a\\"b\\\\c\\nd",status="ready"} 1\n');
  });

  it('keeps the families without samples when there is no summary', () => {
    const text = prometheusText([]);

    expect(samples(text)).toEqual([]);
    expect(text.match(/^# HELP /gm)).toHaveLength(8);
  });
});
