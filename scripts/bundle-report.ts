/**
 * Builds every handler's bundle as CDK does and prints its size and the time its module takes
 * to load in a fresh Node process (wall clock and CPU), with and without `--enable-source-maps`,
 * how much of that CPU time is the bundle's own code and how much the AWS SDK packages it loads,
 * and the machine's load average (other processes stretch the wall-clock times).
 * Exits 1 when a bundle is over the size budget or loads slower than the init budget.
 *
 *   npm run bundle:report
 */
import { loadavg } from 'node:os';
import { BUNDLE_BUDGET_BYTES, INIT_BUDGET_MS, measureBundles } from '../lib/bundle';
import { PROJECT_ROOT } from '../lib/constructs/coord-function';

const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;

const measured = await measureBundles(PROJECT_ROOT, { sourceMaps: true });
const rows: string[][] = [
  ['entry', 'size', 'init ms', 'init CPU ms', 'own CPU ms', 'SDK CPU ms', 'init ms (source maps)'],
  ...measured.map((bundle) => [
    `${bundle.overBudget ? '! ' : ''}${bundle.entry}${bundle.claude ? ' (Claude)' : ''}`,
    kb(bundle.bytes),
    bundle.init.ms.toFixed(0),
    bundle.init.cpuMs.toFixed(0),
    bundle.ownInit.cpuMs.toFixed(0),
    bundle.ownInit.sdkCpuMs.toFixed(0),
    bundle.initWithSourceMaps?.ms.toFixed(0) ?? '-',
  ]),
];
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
for (const row of rows) {
  console.log(
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '),
  );
}
const over = measured.filter((bundle) => bundle.overBudget).length;
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};
const medianOf = (pick: (bundle: (typeof measured)[number]) => number): string =>
  median(measured.map(pick)).toFixed(0);
console.log(
  `\n${measured.length} bundles; budget ${kb(BUNDLE_BUDGET_BYTES)} and ${INIT_BUDGET_MS} ms init; ${over} over; median init ${medianOf((bundle) => bundle.init.ms)} ms wall / ${medianOf((bundle) => bundle.init.cpuMs)} ms CPU, of it the bundle's own code ${medianOf((bundle) => bundle.ownInit.cpuMs)} ms CPU and the SDK packages it loads ${medianOf((bundle) => bundle.ownInit.sdkCpuMs)} ms CPU (loaded first, same process); load average ${loadavg()
    .map((load) => load.toFixed(1))
    .join(' ')}.`,
);
process.exitCode = over > 0 ? 1 : 0;
