/**
 * Global setup of the e2e project: the `coord` command (cli/main.ts) bundled once into one
 * JavaScript file for the run. The CLI tests start `coord` dozens of times; under tsx each start
 * loaded the loader and compiled the sources again (about four times the CPU of the bundle), which
 * on a loaded 2-core machine cost seconds per run. The bundle is the same source, built by the same
 * esbuild that tsx uses; the `npx coord` path itself stays covered by e2e/cli/npx.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's `coord` bundle, started as `node <file> <args>`. */
    coordBundle: string;
  }
}

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'coord-cli-bundle-'));
  const outfile = join(dir, 'coord.mjs');
  await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: ['cli/main.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    // Bundled CommonJS dependencies call require(); an ES module has none of its own.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  project.provide('coordBundle', outfile);
  return () => rmSync(dir, { recursive: true, force: true });
}
