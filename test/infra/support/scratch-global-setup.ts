/**
 * Global setup of the infra project: one temporary folder for the whole run, under which every
 * test file makes its scratch folders (cloud assemblies, bundles, the stub project root). The
 * infra project shares one module graph per worker (`isolate: false`), so a synthesized stage is
 * reused across files and no file may delete what another still reads: the folder goes at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder the infra run's scratch folders go under. */
    infraScratchRoot: string;
  }
}

export default function setup(project: TestProject): () => void {
  const root = mkdtempSync(join(tmpdir(), 'coord-infra-'));
  project.provide('infraScratchRoot', root);
  return () => rmSync(root, { recursive: true, force: true });
}
