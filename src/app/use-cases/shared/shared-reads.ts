/**
 * Reads in flight that calls of one process share instead of each sending its own: a call that
 * needs the answer of a read (the same query of the same source, `key`) joins one already in
 * flight when that read is recent enough for it and large enough for it and every call sharing
 * it, else starts one. On Lambda a container runs one request at a time, so a call there never
 * finds another's read in flight and reads exactly as it would alone.
 *
 * A shared answer is frozen: each call filters and ranks its own copy of it.
 */

/** One read in flight and the calls sharing it. */
interface Read<T> {
  /** Its place in the order reads started in this process (see {@link readOrderNow}). */
  readonly order: number;
  /** When it started, in ms of the callers' clock. */
  readonly at: number;
  /** How many items it asked for. */
  readonly size: number;
  /** What each call sharing it needs, by the number of calls sharing it. */
  readonly needs: ((sharers: number) => number)[];
  readonly items: Promise<readonly T[]>;
}

let lastOrder = 0;

/**
 * The order of the latest read started in this process: every read started after this moment
 * has a greater one. A call that must not see answers older than some event (its own lost race,
 * the end of its previous read) notes it then and passes it as `after`.
 */
export const readOrderNow = (): number => lastOrder;

export interface SharedReadRequest<T> {
  /** Reads of one key send the same query to the same source and differ only in size. */
  readonly key: string;
  /** The size the read must have for `sharers` calls sharing it, this one included. */
  readonly needs: (sharers: number) => number;
  /** The size of a read this call starts: this or `needs(1)`, whichever is larger. */
  readonly size: number;
  /** Only a read started after this order ({@link readOrderNow}) may be joined. */
  readonly after: number;
  /** Only a read started at or after this time (ms, the callers' clock) may be joined. */
  readonly notBefore: number;
  /** Now, in ms of the same clock. */
  readonly now: number;
  /** Sends the read of `size` items. */
  readonly start: (size: number) => Promise<readonly T[]>;
}

/** The reads in flight in this process of one source, by key. */
export class SharedReads<T> {
  readonly #inFlight = new Map<string, Read<T>[]>();

  /**
   * The answer of a read for `request`: the newest read of its key in flight that it may join
   * (started after `after` and not before `notBefore`, and at least as large as every call
   * sharing it needs once this one shares it too), else a read this call starts. A failed read
   * fails every call sharing it with the same error.
   */
  read(request: SharedReadRequest<T>): Promise<readonly T[]> {
    const reads = this.#inFlight.get(request.key) ?? [];
    for (let index = reads.length - 1; index >= 0; index -= 1) {
      const read = reads[index];
      if (!read || read.order <= request.after || read.at < request.notBefore) continue;
      const sharers = read.needs.length + 1;
      if (request.needs(sharers) > read.size) continue;
      if (read.needs.some((need) => need(sharers) > read.size)) continue;
      read.needs.push(request.needs);
      return read.items;
    }
    lastOrder += 1;
    const size = Math.max(request.size, request.needs(1));
    const items = (async () => Object.freeze(await request.start(size)))();
    const read: Read<T> = {
      order: lastOrder,
      at: request.now,
      size,
      needs: [request.needs],
      items,
    };
    reads.push(read);
    this.#inFlight.set(request.key, reads);
    const forget = () => {
      const left = (this.#inFlight.get(request.key) ?? []).filter((other) => other !== read);
      if (left.length > 0) this.#inFlight.set(request.key, left);
      else this.#inFlight.delete(request.key);
    };
    items.then(forget, forget);
    return items;
  }

  /** Reads in flight of `key`: how many. */
  inFlight(key: string): number {
    return this.#inFlight.get(key)?.length ?? 0;
  }
}
