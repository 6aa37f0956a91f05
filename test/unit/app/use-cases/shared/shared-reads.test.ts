import { describe, expect, it } from 'vitest';
import { readOrderNow, type SharedReadRequest, SharedReads } from '#app/use-cases/shared/shared-reads';

/** A read source whose reads stay in flight until `settle` ends them; records each size asked. */
const heldSource = () => {
  const sizes: number[] = [];
  const pending: { resolve: (items: number[]) => void; reject: (error: unknown) => void; size: number }[] =
    [];
  const start = (size: number) => {
    sizes.push(size);
    return new Promise<number[]>((resolve, reject) => pending.push({ resolve, reject, size }));
  };
  const settle = () => {
    for (const read of pending.splice(0)) read.resolve(Array.from({ length: read.size }, (_, i) => i));
  };
  const fail = (error: unknown) => {
    for (const read of pending.splice(0)) read.reject(error);
  };
  /** Ends the oldest read still in flight only. */
  const settleOldest = () => {
    const [read] = pending.splice(0, 1);
    read?.resolve(Array.from({ length: read.size }, (_, i) => i));
  };
  return { sizes, start, settle, settleOldest, fail };
};

/** A request of `key` needing 25 items plus one per other call sharing the read. */
const request = (
  start: (size: number) => Promise<number[]>,
  overrides: Partial<SharedReadRequest<number>> = {},
): SharedReadRequest<number> => ({
  key: 'team-a',
  needs: (sharers) => 25 + sharers - 1,
  size: 25,
  after: 0,
  notBefore: 0,
  now: 1_000,
  start,
  ...overrides,
});

describe('SharedReads', () => {
  it('lets calls join a read in flight of the same key while it is large enough for every call sharing it', async () => {
    const reads = new SharedReads<number>();
    const source = heldSource();

    const answers = [
      reads.read(request(source.start, { size: 28 })),
      reads.read(request(source.start)),
      reads.read(request(source.start)),
      reads.read(request(source.start)),
      // A fifth sharer would need 29 of the read of 28: it starts its own.
      reads.read(request(source.start, { size: 30 })),
    ];
    source.settle();
    const [first, second, third, fourth, fifth] = await Promise.all(answers);

    expect(source.sizes).toEqual([28, 30]);
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(fourth).toBe(first);
    expect(fifth).toHaveLength(30);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('leaves a read alone when a call sharing it already would need more with one more sharer', async () => {
    const reads = new SharedReads<number>();
    const source = heldSource();

    const answers = [
      reads.read(request(source.start, { size: 30 })),
      // Needs 30 on its own (carried losses, say): one more sharer would make it 31.
      reads.read(request(source.start, { needs: (sharers) => 29 + sharers - 1, size: 30 })),
      reads.read(request(source.start, { size: 26 })),
    ];
    source.settle();
    await Promise.all(answers);

    expect(source.sizes).toEqual([30, 26]);
  });

  it('never shares a read between keys', async () => {
    const reads = new SharedReads<number>();
    const source = heldSource();

    const answers = [
      reads.read(request(source.start, { size: 40 })),
      reads.read(request(source.start, { key: 'team-b' })),
    ];
    source.settle();
    await Promise.all(answers);

    expect(source.sizes).toEqual([40, 25]);
  });

  it('never lets a call join a read started at or before the order it was told to read after', async () => {
    const reads = new SharedReads<number>();
    const source = heldSource();

    const older = reads.read(request(source.start, { size: 40 }));
    const after = readOrderNow();
    const own = reads.read(request(source.start, { size: 30, after }));
    const later = reads.read(request(source.start, { after }));
    source.settle();

    expect(source.sizes).toEqual([40, 30]);
    expect(await later).toBe(await own);
    expect(await own).not.toBe(await older);
  });

  it('never lets a call join a read started before the time it was told', async () => {
    const reads = new SharedReads<number>();
    const source = heldSource();

    const answers = [
      reads.read(request(source.start, { size: 40, now: 1_000 })),
      reads.read(request(source.start, { size: 30, notBefore: 1_001, now: 1_030 })),
      reads.read(request(source.start, { notBefore: 1_000, now: 1_030 })),
    ];
    source.settle();
    const [first, second, third] = await Promise.all(answers);

    expect(source.sizes).toEqual([40, 30]);
    // The newest read it may join comes first: the third call shares the second's.
    expect(third).toBe(second);
    expect(second).not.toBe(first);
  });

  it('fails every call sharing a failed read with its error, and forgets the read', async () => {
    const reads = new SharedReads<number>();
    const source = heldSource();
    const outage = new Error('store down');

    const answers = [
      reads.read(request(source.start, { size: 30 })),
      reads.read(request(source.start)),
      reads.read(request(source.start)),
    ];
    expect(reads.inFlight('team-a')).toBe(1);
    source.fail(outage);
    const outcomes = await Promise.allSettled(answers);

    expect(outcomes).toEqual(answers.map(() => ({ status: 'rejected', reason: outage })));
    expect(reads.inFlight('team-a')).toBe(0);
    const next = reads.read(request(source.start));
    source.settle();
    expect(await next).toHaveLength(25);
    expect(source.sizes).toEqual([30, 25]);
  });

  it('starts a read as large as the call needs alone when that is more than the size it asks for', async () => {
    const reads = new SharedReads<number>();
    const source = heldSource();

    const answer = reads.read(request(source.start, { needs: (sharers) => 31 + sharers - 1, size: 28 }));
    source.settle();
    await answer;

    expect(source.sizes).toEqual([31]);
  });

  it('lets a call join a read only when the read is large enough for the call itself too', async () => {
    const reads = new SharedReads<number>();
    const source = heldSource();

    const answers = [
      reads.read(request(source.start, { size: 28 })),
      // Two sharing the read of 28 would be fine for the first (26), not for this one (31): it
      // starts its own, of the 30 it needs alone.
      reads.read(request(source.start, { needs: (sharers) => 30 + sharers - 1, size: 30 })),
    ];
    source.settle();
    const [first, second] = await Promise.all(answers);

    expect(source.sizes).toEqual([28, 30]);
    expect(second).not.toBe(first);
  });

  it('lets a call join a read started exactly at the time it was told not to go before', async () => {
    const reads = new SharedReads<number>();
    const source = heldSource();

    const answers = [
      reads.read(request(source.start, { size: 40, now: 1_000 })),
      reads.read(request(source.start, { notBefore: 1_000, now: 1_020 })),
    ];
    source.settle();
    const [first, second] = await Promise.all(answers);

    expect(source.sizes).toEqual([40]);
    expect(second).toBe(first);
  });

  it('keeps a read in flight joinable when an older read of the same key ends first', async () => {
    const reads = new SharedReads<number>();
    const source = heldSource();

    const older = reads.read(request(source.start, { size: 25 }));
    // Needs 26 with a sharer: the older read of 25 is too small, so it starts its own of 26.
    const newer = reads.read(request(source.start, { size: 26 }));
    source.settleOldest();
    await older;
    expect(reads.inFlight('team-a')).toBe(1);
    const joining = reads.read(request(source.start));
    source.settle();

    expect(await joining).toBe(await newer);
    expect(source.sizes).toEqual([25, 26]);
  });

  it('forgets a read once it has answered: a later call starts its own', async () => {
    const reads = new SharedReads<number>();
    const source = heldSource();

    const first = reads.read(request(source.start, { size: 30 }));
    source.settle();
    await first;
    const second = reads.read(request(source.start));
    source.settle();

    expect(await second).not.toBe(await first);
    expect(source.sizes).toEqual([30, 25]);
  });
});
