import { describe, expect, it } from 'vitest';
import { deliver, startSending } from '#app/use-cases/realtime/broadcast-events';
import { UnavailableError } from '#core/errors';
import type { Delivery } from '#core/realtime/messages';
import type { ConnectionNotifier, ConnectionStore, PostOutcome } from '#core/realtime/ports';

/**
 * Connections as plain data: the subscribers of each channel (a channel's read can be held back
 * until the test releases it), what each connection received, which ones are gone.
 */
const world = (subscribers: Record<string, string[] | Error>) => {
  const held = new Map<string, Promise<void>>();
  const received = new Map<string, number[]>();
  const gone = new Set<string>();
  const removed: string[] = [];
  let posts = 0;
  let failPostsWith: Error | undefined;
  const connections = {
    async subscribersOf(channel: string) {
      await held.get(channel);
      const answer = subscribers[channel] ?? [];
      if (answer instanceof Error) throw answer;
      return { items: answer };
    },
    async remove(id: string) {
      removed.push(id);
    },
  } as unknown as ConnectionStore;
  const notifier: ConnectionNotifier = {
    async post(id, payload): Promise<PostOutcome> {
      posts += 1;
      if (failPostsWith) throw failPostsWith;
      if (gone.has(id)) return 'gone';
      received.set(id, [...(received.get(id) ?? []), (JSON.parse(payload) as { seq: number }).seq]);
      return 'sent';
    },
  };
  return {
    deps: { connections, notifier, postConcurrency: 4 },
    received,
    gone,
    removed,
    posts: () => posts,
    failPosts: (error: Error) => (failPostsWith = error),
    hold(channel: string) {
      let release!: () => void;
      held.set(channel, new Promise<void>((resolve) => (release = resolve)));
      return () => release();
    },
  };
};

const teamMessage = (seq: number, team: string, workId?: string): Delivery => ({
  message: { type: 'work.claimed', seq, at: '2026-01-01T00:00:00.000Z', data: {} },
  channels: [{ kind: 'team', team }, ...(workId ? [{ kind: 'work' as const, workId }] : [])],
});

describe('startSending', () => {
  it('queues messages in the order sent even when a later message’s channels are read first', async () => {
    const w = world({ 'team:a': ['c1'], 'work:w1': ['c1', 'c2'], 'team:b': ['c1'] });
    const release = w.hold('work:w1');
    const sending = startSending(w.deps);

    const first = sending.send(teamMessage(1, 'a', 'w1'));
    const second = sending.send(teamMessage(2, 'b'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    release();
    await Promise.all([first, second]);
    const outcome = await sending.finish();

    expect(w.received.get('c1')).toEqual([1, 2]);
    expect(w.received.get('c2')).toEqual([1]);
    expect(outcome).toEqual({ sent: 3, gone: 0 });
  });

  it('fails the round when a later message’s subscriber read fails while an earlier one is still being read', async () => {
    // The failed read settles before the queue reaches it; it must fail the round, not the process
    // (an unhandled rejection ends a Node process, and vitest fails the run on one).
    const w = world({ 'team:a': ['c1'], 'team:b': new UnavailableError('store timed out') });
    const release = w.hold('team:a');
    const sending = startSending(w.deps);

    const first = sending.send(teamMessage(1, 'a'));
    const second = sending.send(teamMessage(2, 'b'));
    const third = sending.send(teamMessage(3, 'b'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();

    await expect(Promise.all([first, second, third])).rejects.toBeInstanceOf(UnavailableError);
    await expect(sending.finish()).rejects.toBeInstanceOf(UnavailableError);
    expect(w.received.get('c1')).toEqual([1]);
  });

  it('forgets a gone connection once, sends it nothing more, and still reaches the others', async () => {
    const w = world({ 'team:a': ['c1', 'dead', 'c2'] });
    w.gone.add('dead');
    const sending = startSending(w.deps);

    for (const seq of [1, 2, 3]) void sending.send(teamMessage(seq, 'a'));
    const outcome = await sending.finish();

    expect(w.received.get('c1')).toEqual([1, 2, 3]);
    expect(w.received.get('c2')).toEqual([1, 2, 3]);
    expect(w.removed).toEqual(['dead']);
    expect(outcome).toEqual({ sent: 6, gone: 1 });
    expect(w.posts()).toBe(7);
  });

  it('fails the round when the management API is unavailable', async () => {
    const w = world({ 'team:a': ['c1', 'c2'] });
    w.failPosts(new UnavailableError('throttled'));
    const sending = startSending(w.deps);

    void sending.send(teamMessage(1, 'a'));

    await expect(sending.finish()).rejects.toBeInstanceOf(UnavailableError);
  });

  it('posts nothing for a message nobody subscribed to', async () => {
    const w = world({});

    expect(await deliver(w.deps, teamMessage(1, 'nobody'))).toEqual({ sent: 0, gone: 0 });
    expect(w.posts()).toBe(0);
  });
});
