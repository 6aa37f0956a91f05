/**
 * The metrics summary as Prometheus text (exposition format 0.0.4): what the local runtime's
 * `GET /metrics` serves. The figures are the summary's, per window, as gauges.
 */
import type { MetricsSummaryView } from './schemas/metrics';

const escapeLabel = (value: string): string =>
  value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

const labels = (pairs: Readonly<Record<string, string>>): string =>
  `{${Object.entries(pairs)
    .map(([name, value]) => `${name}="${escapeLabel(value)}"`)
    .join(',')}}`;

interface Family {
  readonly name: string;
  readonly help: string;
  readonly samples: { readonly labels: Record<string, string>; readonly value: number | null }[];
}

/** Prometheus text of one or more summaries (one per window). */
export const prometheusText = (summaries: readonly MetricsSummaryView[]): string => {
  const counter = (name: string, help: string, pick: (summary: MetricsSummaryView) => number): Family => ({
    name,
    help,
    samples: summaries.map((summary) => ({ labels: { window: summary.window }, value: pick(summary) })),
  });
  const families: Family[] = [
    counter('coord_claims', 'Claims in the window.', (s) => s.throughput.claims),
    counter('coord_completions', 'Completions in the window.', (s) => s.throughput.completions),
    counter('coord_failures', 'Failures in the window.', (s) => s.throughput.failures),
    counter('coord_conflicts', 'Claim conflicts (409) in the window.', (s) => s.conflicts),
    counter('coord_lease_expiries', 'Leases that ran out in the window.', (s) => s.leaseExpiries),
    counter('coord_escalations', 'Escalations opened in the window.', (s) => s.escalations),
    {
      name: 'coord_claim_latency_ms',
      help: 'Claim request latency percentiles in the window, in milliseconds.',
      samples: summaries.flatMap((summary) =>
        (['p50', 'p95', 'p99'] as const).map((p) => ({
          labels: { window: summary.window, quantile: String(Number(p.slice(1)) / 100) },
          value: summary.latencyMs[p],
        })),
      ),
    },
    {
      name: 'coord_queue_depth',
      help: 'Work items now, by team and status.',
      samples: Object.entries(summaries[0]?.queueDepthByTeam ?? {}).flatMap(([team, byStatus]) =>
        Object.entries(byStatus).map(([status, count]) => ({ labels: { team, status }, value: count })),
      ),
    },
  ];
  return `${families
    .map((family) =>
      [
        `# HELP ${family.name} ${family.help}`,
        `# TYPE ${family.name} gauge`,
        ...family.samples.map((sample) => `${family.name}${labels(sample.labels)} ${sample.value ?? 'NaN'}`),
      ].join('\n'),
    )
    .join('\n')}\n`;
};
