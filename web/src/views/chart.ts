/**
 * A time-series chart (uPlot) with an empty state: with no points it shows why instead of an
 * empty or made-up plot. It follows its container's width and the theme's colours.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from '../dom';

export interface SeriesSpec {
  readonly label: string;
  /** CSS custom property holding the line colour, e.g. `--chart-1`. */
  readonly colour: string;
}

export interface TimeChart {
  readonly element: HTMLElement;
  /** `times` in epoch seconds; one array per series, `null` where a value is unknown. */
  setData(times: readonly number[], values: readonly (readonly (number | null)[])[]): void;
  /** Shown while there are no points. */
  setEmpty(reason: string): void;
  /** Rebuilds with the current theme's colours. */
  restyle(): void;
}

const cssVar = (name: string): string =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

export const createTimeChart = (title: string, series: readonly SeriesSpec[], height = 160): TimeChart => {
  const id = `chart-${title.toLowerCase().replaceAll(/[^a-z0-9]+/g, '-')}`;
  const plotArea = h('div', { class: 'plot', role: 'img', 'aria-label': title });
  const empty = h('p', { class: 'empty' }, 'No data yet.');
  const element = h('figure', { class: 'chart is-empty', id }, h('figcaption', {}, title), plotArea, empty);
  let plot: uPlot | undefined;
  let data: uPlot.AlignedData = [[], ...series.map(() => [])];

  const width = () => Math.max(200, plotArea.clientWidth || element.clientWidth - 16 || 300);
  const build = () => {
    plot?.destroy();
    const text = cssVar('--text-muted');
    const grid = cssVar('--grid');
    plot = new uPlot(
      {
        width: width(),
        height,
        legend: { show: series.length > 1, live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [
          { stroke: text, grid: { stroke: grid }, ticks: { stroke: grid } },
          { stroke: text, grid: { stroke: grid }, ticks: { stroke: grid }, size: 44 },
        ],
        series: [
          {},
          ...series.map((s) => ({ label: s.label, stroke: cssVar(s.colour), width: 2, spanGaps: true })),
        ],
      },
      data,
      plotArea,
    );
  };
  new ResizeObserver(() => plot?.setSize({ width: width(), height })).observe(plotArea);

  return {
    element,
    setData: (times, values) => {
      if (times.length === 0) {
        empty.textContent = 'No data yet.';
        element.classList.add('is-empty');
        return;
      }
      element.classList.remove('is-empty');
      data = [Array.from(times), ...values.map((v) => Array.from(v))] as uPlot.AlignedData;
      if (plot) plot.setData(data);
      else build();
      const summary = series.map((s, i) => `${s.label} ${values[i]?.at(-1) ?? 'unknown'}`).join(', ');
      plotArea.setAttribute('aria-label', `${title}: latest ${summary}`);
    },
    setEmpty: (reason) => {
      empty.textContent = reason;
      element.classList.add('is-empty');
    },
    restyle: () => {
      if (plot) build();
    },
  };
};
