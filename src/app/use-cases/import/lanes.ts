import { mapConcurrent } from '../shared/concurrent';

/** How many lanes of one import call run at once. */
export const IMPORT_CONCURRENCY = 8;

/**
 * Runs `run` on every item: items of one lane one after another in their order (they write the
 * same records, so running them together would only make them retry), different lanes side by
 * side, at most `concurrency` at once. After a failure no new lane starts; the lanes already
 * running finish, then the first failure is thrown.
 */
export const runInLanes = async <T>(
  items: readonly T[],
  laneOf: (item: T) => string,
  run: (item: T) => Promise<void>,
  concurrency = IMPORT_CONCURRENCY,
): Promise<void> => {
  const lanes = new Map<string, T[]>();
  for (const item of items) {
    const key = laneOf(item);
    lanes.set(key, [...(lanes.get(key) ?? []), item]);
  }
  await mapConcurrent([...lanes.values()], concurrency, async (lane) => {
    for (const item of lane) await run(item);
  });
};
