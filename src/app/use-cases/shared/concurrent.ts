/**
 * `map` over `items` with at most `concurrency` calls in flight, results in the items' order. A
 * use case that fans out store reads per item (e.g. per team) uses it so one request never queues
 * thousands of store calls at once: the SDK's connection timeout counts the time a call waits for
 * a free socket, so an unbounded fan-out fails calls on a busy store that would have succeeded.
 * The first failure is thrown once the calls in flight end; no new call starts after it.
 */
export const mapConcurrent = async <T, R>(
  items: readonly T[],
  concurrency: number,
  map: (item: T) => Promise<R>,
): Promise<R[]> => {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed = false;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next;
      next += 1;
      try {
        results[index] = await map(items[index] as T);
      } catch (error) {
        if (!failed) failure = error;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, worker));
  if (failed) throw failure;
  return results;
};
