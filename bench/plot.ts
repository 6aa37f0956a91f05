/**
 * The bench's plot: two panels against concurrency (log scale), throughput (cycles/s next to the
 * raw UpdateItem and 3-write transaction rates) and claim latency (p50 and p99 next to the raw
 * UpdateItem p99). Plain SVG, no dependency: it opens in any browser.
 */
import type { LoopResult } from './claim-next';
import type { RawResult } from './raw';

interface Series {
  readonly label: string;
  readonly color: string;
  readonly dashed?: boolean;
  readonly points: readonly (readonly [number, number])[];
}

const WIDTH = 460;
const HEIGHT = 300;
const MARGIN = { left: 60, right: 16, top: 34, bottom: 44 };

const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

const niceMax = (value: number): number => {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((step) => step * power >= value) ?? 10) * power;
};

/** One panel at horizontal offset `x0`: axes, ticks, lines and a legend. */
const panel = (
  x0: number,
  title: string,
  yLabel: string,
  xs: readonly number[],
  series: readonly Series[],
) => {
  const innerW = WIDTH - MARGIN.left - MARGIN.right;
  const innerH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const [minX, maxX] = [Math.min(...xs), Math.max(...xs)];
  const logSpan = Math.log10(maxX) - Math.log10(minX) || 1;
  const maxY = niceMax(
    Math.max(...series.flatMap((s) => s.points.map(([, y]) => y)).filter(Number.isFinite)),
  );
  const px = (x: number) => x0 + MARGIN.left + ((Math.log10(x) - Math.log10(minX)) / logSpan) * innerW;
  const py = (y: number) => MARGIN.top + innerH - (y / maxY) * innerH;
  const parts: string[] = [
    `<text x="${x0 + WIDTH / 2}" y="18" text-anchor="middle" font-weight="bold">${escapeText(title)}</text>`,
    `<line x1="${px(minX)}" y1="${py(0)}" x2="${px(maxX)}" y2="${py(0)}" stroke="#333"/>`,
    `<line x1="${px(minX)}" y1="${py(0)}" x2="${px(minX)}" y2="${py(maxY)}" stroke="#333"/>`,
    `<text x="${x0 + 14}" y="${MARGIN.top + innerH / 2}" transform="rotate(-90 ${x0 + 14} ${MARGIN.top + innerH / 2})" text-anchor="middle">${escapeText(yLabel)}</text>`,
    `<text x="${x0 + MARGIN.left + innerW / 2}" y="${HEIGHT - 8}" text-anchor="middle">concurrent clients (log scale)</text>`,
  ];
  for (const x of xs) {
    parts.push(`<text x="${px(x)}" y="${py(0) + 16}" text-anchor="middle">${x}</text>`);
  }
  for (let i = 0; i <= 4; i += 1) {
    const y = (maxY / 4) * i;
    parts.push(
      `<line x1="${px(minX)}" y1="${py(y)}" x2="${px(maxX)}" y2="${py(y)}" stroke="#ddd"/>`,
      `<text x="${px(minX) - 6}" y="${py(y) + 4}" text-anchor="end">${Number(y.toPrecision(3))}</text>`,
    );
  }
  series.forEach((s, index) => {
    const points = s.points.filter(([, y]) => Number.isFinite(y));
    if (points.length === 0) return;
    const path = points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    parts.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''} points="${path}"/>`,
      ...points.map(
        ([x, y]) => `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${s.color}"/>`,
      ),
      `<text x="${px(minX) + 10}" y="${MARGIN.top + 12 + index * 14}" fill="${s.color}">${escapeText(s.label)}</text>`,
    );
  });
  return parts.join('\n');
};

/** The plot of one bench run as an SVG document. */
export const plotSvg = (raw: readonly RawResult[], loops: readonly LoopResult[]): string => {
  const xs = [...new Set(loops.map((l) => l.agents))].sort((a, b) => a - b);
  const rawOf = (kind: RawResult['kind'], field: 'opsPerSec' | 'p99Ms') =>
    raw
      .filter((r) => r.kind === kind && xs.includes(r.concurrency))
      .map((r) => [r.concurrency, r[field]] as const);
  const throughput: Series[] = [
    {
      label: 'claim cycles/s (HTTP)',
      color: '#1f6feb',
      points: loops.map((l) => [l.agents, l.cyclesPerSec]),
    },
    { label: 'raw UpdateItem/s', color: '#8b949e', dashed: true, points: rawOf('update', 'opsPerSec') },
    { label: 'raw 3-write tx/s', color: '#d29922', dashed: true, points: rawOf('transact3', 'opsPerSec') },
  ];
  const latency: Series[] = [
    { label: 'claim p50 ms', color: '#1f6feb', points: loops.map((l) => [l.agents, l.claim.p50Ms]) },
    { label: 'claim p99 ms', color: '#cf222e', points: loops.map((l) => [l.agents, l.claim.p99Ms]) },
    { label: 'raw UpdateItem p99 ms', color: '#8b949e', dashed: true, points: rawOf('update', 'p99Ms') },
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH * 2}" height="${HEIGHT}" font-family="sans-serif" font-size="11" role="img">`,
    '<title>Claim loops against the raw store: throughput and claim latency by concurrent agents</title>',
    '<rect width="100%" height="100%" fill="white"/>',
    panel(0, 'Throughput', 'per second', xs, throughput),
    panel(WIDTH, 'Claim latency', 'milliseconds', xs, latency),
    '</svg>',
    '',
  ].join('\n');
};
