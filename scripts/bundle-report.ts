/**
 * Builds every handler's bundle as CDK does and prints its size and the time its module takes
 * to load in a fresh Node process (wall clock and CPU), with and without `--enable-source-maps`,
 * and the machine's load average (other processes stretch the wall-clock times).
 * Exits 1 when a bundle is over the size budget or loads slower than the init budget.
 *
 *   npm run bundle:report
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { BUNDLE_BUDGET_BYTES, buildBundle, handlerEntries, INIT_BUDGET_MS, measureInit } from '../lib/bundle';
import { PROJECT_ROOT } from '../lib/constructs/coord-function';

const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;

// Inside the project, so the modules the runtime provides (the AWS SDK) resolve from node_modules.
const outDir = mkdtempSync(join(PROJECT_ROOT, 'node_modules', '.bundle-report-'));
try {
  const rows: string[][] = [['entry', 'size', 'init ms', 'init CPU ms', 'init ms (source maps)']];
  let over = 0;
  for (const handler of handlerEntries()) {
    const bundle = await buildBundle(PROJECT_ROOT, handler, outDir);
    const init = measureInit(bundle.file);
    const initMapped = measureInit(bundle.file, ['--enable-source-maps']);
    const bad = bundle.bytes > BUNDLE_BUDGET_BYTES || init.ms > INIT_BUDGET_MS;
    if (bad) over++;
    rows.push([
      `${bad ? '! ' : ''}${handler.entry}${handler.claude ? ' (Claude)' : ''}`,
      kb(bundle.bytes),
      init.ms.toFixed(0),
      init.cpuMs.toFixed(0),
      initMapped.ms.toFixed(0),
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
  for (const row of rows) {
    console.log(
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('  '),
    );
  }
  console.log(
    `\n${rows.length - 1} bundles; budget ${kb(BUNDLE_BUDGET_BYTES)} and ${INIT_BUDGET_MS} ms init; ${over} over; load average ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')}.`,
  );
  process.exitCode = over > 0 ? 1 : 0;
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
