/**
 * Overview: headline numbers, live charts (claims per minute, claim latency, conflicts, queue
 * depth) and trends over 1 h / 24 h / 7 d, all from `GET /v1/metrics/summary` and `GET /v1/teams`.
 * Where the service has no metrics the charts say so; nothing is made up.
 */
import { ApiError } from '../api';
import { h } from '../dom';
import { Resource } from '../resource';
import type { MetricsSummary, TeamSummary } from '../types';
import { createTimeChart, type TimeChart } from './chart';
import { type Context, loadError, section, type View } from './view';

const TREND_WINDOWS = ['1h', '24h', '7d'] as const;
const DEPTH_KEEP_MS = 15 * 60_000;

const summaryOf = (ctx: Context, window: string) => async (): Promise<MetricsSummary> =>
  ctx.api.get<MetricsSummary>('/v1/metrics/summary', { window });

const whyEmpty = (error: unknown): string =>
  error instanceof ApiError && (error.status === 404 || error.status === 501)
    ? 'Metrics are not available from this service yet.'
    : error instanceof Error
      ? `Could not load metrics: ${error.message}`
      : 'Could not load metrics.';

const seriesOf = (summary: MetricsSummary) => ({
  times: summary.series.map((point) => Date.parse(point.at) / 1000),
  claims: summary.series.map((point) => point.claims),
  completions: summary.series.map((point) => point.completions),
  conflicts: summary.series.map((point) => point.conflicts),
  p50: summary.series.map((point) => point.p50),
});

const fillCharts = (
  resource: Resource<MetricsSummary>,
  charts: readonly { chart: TimeChart; pick: (s: ReturnType<typeof seriesOf>) => (number | null)[][] }[],
) => {
  for (const { chart, pick } of charts) {
    if (resource.error) chart.setEmpty(whyEmpty(resource.error));
    else if (resource.value) {
      const series = seriesOf(resource.value);
      if (series.times.length === 0) chart.setEmpty('No activity in this window.');
      else chart.setData(series.times, pick(series));
    }
  }
};

const tile = (label: string, value: string, id: string): HTMLElement =>
  h('div', { class: 'tile' }, h('dt', {}, label), h('dd', { id }, value));

export const createOverviewView = (ctx: Context): View => {
  const { element, status } = section('overview', 'Overview');
  const live = new Resource(summaryOf(ctx, '15m'), 5000);
  let trendWindow = (TREND_WINDOWS as readonly string[]).includes(ctx.prefs.trendWindow)
    ? ctx.prefs.trendWindow
    : '1h';
  const trends = new Resource(() => summaryOf(ctx, trendWindow)(), 5000);
  const teams = new Resource(() => ctx.api.listAll<TeamSummary>('/v1/teams'), 1000);
  const depth: { t: number; ready: number; inFlight: number; blocked: number }[] = [];

  const claimsChart = createTimeChart('Claims per minute', [{ label: 'Claims', colour: '--chart-1' }]);
  const latencyChart = createTimeChart('Claim latency p50 (ms)', [{ label: 'p50 ms', colour: '--chart-2' }]);
  const conflictsChart = createTimeChart('Conflicts per minute', [
    { label: 'Conflicts', colour: '--chart-3' },
  ]);
  const depthChart = createTimeChart('Queue depth', [
    { label: 'Ready', colour: '--chart-1' },
    { label: 'In flight', colour: '--chart-2' },
    { label: 'Blocked', colour: '--chart-4' },
  ]);
  const trendThroughput = createTimeChart('Throughput per minute', [
    { label: 'Claims', colour: '--chart-1' },
    { label: 'Completions', colour: '--chart-2' },
  ]);
  const trendLatency = createTimeChart('Claim latency p50 (ms)', [{ label: 'p50 ms', colour: '--chart-2' }]);
  const trendConflicts = createTimeChart('Conflicts', [{ label: 'Conflicts', colour: '--chart-3' }]);
  const charts = [
    claimsChart,
    latencyChart,
    conflictsChart,
    depthChart,
    trendThroughput,
    trendLatency,
    trendConflicts,
  ];

  const tiles = h(
    'dl',
    { class: 'tiles' },
    tile('Agents online', '–', 'tile-agents'),
    tile('Ready', '–', 'tile-ready'),
    tile('In flight', '–', 'tile-in-flight'),
    tile('Escalated', '–', 'tile-escalated'),
    tile('Claims (15 min)', '–', 'tile-claims'),
    tile('Latency p50 / p95 / p99', '–', 'tile-latency'),
    tile('Conflicts (15 min)', '–', 'tile-conflicts'),
  );
  const setTile = (id: string, value: string) => {
    const dd = tiles.querySelector(`#${id}`);
    if (dd) dd.textContent = value;
  };

  const windowButtons = TREND_WINDOWS.map((w) =>
    h(
      'button',
      {
        type: 'button',
        class: 'segment',
        'aria-pressed': String(w === trendWindow),
        onclick: () => {
          trendWindow = w;
          ctx.prefs.trendWindow = w;
          ctx.savePrefs();
          for (const b of windowButtons) b.setAttribute('aria-pressed', String(b.textContent === w));
          trends.reload();
        },
      },
      w,
    ),
  );
  const layoutButton = h('button', { type: 'button', class: 'quiet', id: 'layout-toggle' });
  const grids = [
    h(
      'div',
      { class: 'charts' },
      claimsChart.element,
      latencyChart.element,
      conflictsChart.element,
      depthChart.element,
    ),
    h('div', { class: 'charts' }, trendThroughput.element, trendLatency.element, trendConflicts.element),
  ];
  const applyLayout = () => {
    for (const grid of grids) grid.dataset.layout = ctx.prefs.overviewLayout;
    layoutButton.textContent =
      ctx.prefs.overviewLayout === 'grid' ? 'One chart per row' : 'Charts side by side';
  };
  layoutButton.addEventListener('click', () => {
    ctx.prefs.overviewLayout = ctx.prefs.overviewLayout === 'grid' ? 'stack' : 'grid';
    ctx.savePrefs();
    applyLayout();
  });
  applyLayout();

  element.append(
    tiles,
    h('div', { class: 'section-head' }, h('h3', {}, 'Live (last 15 minutes)'), layoutButton),
    grids[0] as HTMLElement,
    h(
      'div',
      { class: 'section-head' },
      h('h3', { id: 'trends-heading' }, 'Trends'),
      h('div', { class: 'segments', role: 'group', 'aria-labelledby': 'trends-heading' }, ...windowButtons),
    ),
    grids[1] as HTMLElement,
  );

  live.subscribe(() => {
    fillCharts(live, [
      { chart: claimsChart, pick: (s) => [s.claims] },
      { chart: latencyChart, pick: (s) => [s.p50] },
      { chart: conflictsChart, pick: (s) => [s.conflicts] },
    ]);
    const summary = live.value;
    if (summary && !live.error) {
      const ms = (v: number | null) => (v === null ? '–' : `${Math.round(v)}`);
      setTile('tile-claims', String(summary.throughput.claims));
      setTile(
        'tile-latency',
        `${ms(summary.latencyMs.p50)} / ${ms(summary.latencyMs.p95)} / ${ms(summary.latencyMs.p99)} ms`,
      );
      setTile('tile-conflicts', String(summary.conflicts));
    }
  });
  trends.subscribe(() =>
    fillCharts(trends, [
      { chart: trendThroughput, pick: (s) => [s.claims, s.completions] },
      { chart: trendLatency, pick: (s) => [s.p50] },
      { chart: trendConflicts, pick: (s) => [s.conflicts] },
    ]),
  );
  teams.subscribe(() => {
    status.textContent = teams.error ? loadError(teams.error) : '';
    if (!teams.value) return;
    const sum = (pick: (t: TeamSummary) => number) => teams.value?.reduce((n, t) => n + pick(t), 0) ?? 0;
    const now = Date.now();
    const point = {
      t: now / 1000,
      ready: sum((t) => t.work.ready ?? 0),
      inFlight: sum((t) => (t.work.claimed ?? 0) + (t.work.in_progress ?? 0)),
      blocked: sum((t) => t.work.blocked ?? 0),
    };
    depth.push(point);
    while (depth.length > 0 && (depth[0]?.t ?? 0) * 1000 < now - DEPTH_KEEP_MS) depth.shift();
    depthChart.setData(
      depth.map((p) => p.t),
      [depth.map((p) => p.ready), depth.map((p) => p.inFlight), depth.map((p) => p.blocked)],
    );
    setTile('tile-agents', String(sum((t) => (t.agents.active ?? 0) + (t.agents.idle ?? 0))));
    setTile('tile-ready', String(point.ready));
    setTile('tile-in-flight', String(point.inFlight));
    setTile('tile-escalated', String(sum((t) => t.work.escalated ?? 0)));
  });

  return {
    id: 'overview',
    title: 'Overview',
    element,
    refresh: () => {
      live.reload();
      trends.reload();
      teams.reload();
    },
    wants: (m) => m.type === 'metrics' || m.type.startsWith('work.') || m.type.startsWith('agent.'),
    onShow: () => {
      for (const chart of charts) chart.restyle();
    },
  };
};
