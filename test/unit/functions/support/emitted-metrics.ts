/**
 * What handlers print while they run (EMF metric blobs, Powertools warnings), for tests of which
 * metrics two overlapping invocations publish under which dimension.
 */
import { vi } from 'vitest';

/** Every line written while `work` runs, whatever console Powertools writes to. */
export const captureOutput = async (work: () => Promise<unknown>): Promise<string[]> => {
  const lines: string[] = [];
  const keep = (chunk: unknown) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(keep),
    vi.spyOn(process.stderr, 'write').mockImplementation(keep),
  ];
  try {
    await work();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines;
};

/** A handler body whose calls all wait until `count` of them have started: invocations that overlap. */
export const overlapping = (count: number): (() => Promise<void>) => {
  let release!: () => void;
  const allStarted = new Promise<void>((resolve) => (release = resolve));
  let started = 0;
  return async () => {
    started += 1;
    if (started === count) release();
    await allStarted;
  };
};

/** `[dimension value, metric value]` of every EMF blob among `lines` that holds `metric`, sorted. */
export const publishedUnder = (lines: readonly string[], dimension: string, metric: string): unknown[][] =>
  lines
    .flatMap((line) => {
      try {
        const blob = JSON.parse(line) as Record<string, unknown>;
        return blob[metric] === undefined ? [] : [[blob[dimension], blob[metric]]];
      } catch {
        return [];
      }
    })
    .sort();

/** Powertools' warnings that one invocation's dimension was overwritten by another's. */
export const dimensionClashes = (lines: readonly string[]): string[] =>
  lines.filter((line) => line.includes('has already been added'));

/**
 * The lines printed while `work` runs with metrics published, for a file that keeps Powertools
 * metrics off (`POWERTOOLS_METRICS_DISABLED=true`) for the rest of its tests.
 */
export const publishing = async (work: () => Promise<unknown>): Promise<string[]> => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_DEV', 'false');
  try {
    return await captureOutput(work);
  } finally {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  }
};
