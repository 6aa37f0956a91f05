/** `GET /v1/metrics/summary` (API.md "Additions"): its query and its answer. */
import type { Static } from '@sinclair/typebox';
import { Type } from '#app/schemas/type';
import { WINDOWS } from '#core/metrics/rollup';
import { Closed, literalUnion, Timestamp } from './common';

/** `?window=15m|1h|24h|7d` (default `1h`). */
export const MetricsSummaryQuery = Closed({
  window: Type.Optional(literalUnion(Object.keys(WINDOWS) as (keyof typeof WINDOWS)[])),
});
export type MetricsSummaryQuery = Static<typeof MetricsSummaryQuery>;

const Count = Type.Integer({ minimum: 0 });
const Ms = Type.Union([Type.Number({ minimum: 0 }), Type.Null()], {
  description: 'milliseconds; null without samples',
});

/** Throughput, claim latency, conflicts and queue depth over a window, with a series per bucket. */
export const MetricsSummaryView = Closed({
  window: literalUnion(Object.keys(WINDOWS) as (keyof typeof WINDOWS)[]),
  from: Timestamp,
  to: Timestamp,
  throughput: Closed({ claims: Count, completions: Count, failures: Count }),
  latencyMs: Closed({ p50: Ms, p95: Ms, p99: Ms }, { description: 'claim request latency' }),
  conflicts: Count,
  leaseExpiries: Count,
  escalations: Count,
  queueDepth: Type.Record(Type.String(), Count, { description: 'work items now, by status' }),
  queueDepthByTeam: Type.Record(Type.String(), Type.Record(Type.String(), Count), {
    description: 'work items now, by team and status',
  }),
  series: Type.Array(
    Closed({ at: Timestamp, claims: Count, completions: Count, failures: Count, conflicts: Count, p50: Ms }),
    { description: 'one entry per minute (15m, 1h) or hour (24h, 7d), oldest first' },
  ),
});
export type MetricsSummaryView = Static<typeof MetricsSummaryView>;
