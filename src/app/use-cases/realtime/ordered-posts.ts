/**
 * Posting a batch's messages with bounded concurrency while each connection receives its own
 * messages one at a time, in the order they were queued (so a client sees an entity's `seq`
 * increase). Posts to different connections run side by side, at most `concurrency` at once.
 */

/** One message for one connection. */
export type PostJob = () => Promise<void>;

/** A queue of posts drained by a bounded number of workers. */
export interface OrderedPosts {
  /** Queues `job` for `connectionId`; it runs after every job queued earlier for that connection. */
  push(connectionId: string, job: PostJob): void;
  /**
   * Resolves once every queued job ran. After the first failing job no new job starts, and
   * `drain` rejects with that job's error.
   */
  drain(): Promise<void>;
}

/**
 * A pool of `concurrency` workers over one FIFO of jobs. A worker takes the oldest job; if its
 * connection is already being posted to, the job waits behind it and the worker holding that
 * connection runs it next, so one connection never has two posts in flight.
 */
export const orderedPosts = (concurrency: number): OrderedPosts => {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer; got ${concurrency}`);
  }
  const queue: { connectionId: string; job: PostJob }[] = [];
  let head = 0;
  /** Connections with a post in flight, and the jobs waiting behind it. */
  const busy = new Map<string, PostJob[]>();
  const workers = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;

  const work = async (): Promise<void> => {
    while (failure === undefined && head < queue.length) {
      const next = queue[head] as { connectionId: string; job: PostJob };
      head += 1;
      const waiting = busy.get(next.connectionId);
      if (waiting) {
        waiting.push(next.job);
        continue;
      }
      const behind: PostJob[] = [];
      busy.set(next.connectionId, behind);
      try {
        for (let job: PostJob | undefined = next.job; job && failure === undefined; job = behind.shift()) {
          await job();
        }
      } catch (error) {
        failure ??= { error };
      } finally {
        busy.delete(next.connectionId);
      }
    }
  };

  const startWorkers = (): void => {
    while (workers.size < concurrency && head < queue.length && failure === undefined) {
      const worker = work().finally(() => workers.delete(worker));
      workers.add(worker);
    }
  };

  return {
    push(connectionId, job) {
      queue.push({ connectionId, job });
      startWorkers();
    },
    async drain() {
      while (workers.size > 0) await Promise.all(workers);
      if (failure) throw failure.error;
    },
  };
};
