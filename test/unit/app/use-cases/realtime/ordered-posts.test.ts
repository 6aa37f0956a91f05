import { describe, expect, it } from 'vitest';
import { orderedPosts } from '#app/use-cases/realtime/ordered-posts';

/** A post that resolves when the test says so, recording when it started and ended. */
const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
};

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('orderedPosts', () => {
  it('never runs more than `concurrency` posts at once', async () => {
    const posts = orderedPosts(3);
    let inFlight = 0;
    let most = 0;
    for (let i = 0; i < 20; i++) {
      posts.push(`conn-${i}`, async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await tick();
        inFlight -= 1;
      });
    }

    await posts.drain();

    expect(most).toBe(3);
  });

  it('runs posts to different connections side by side', async () => {
    const posts = orderedPosts(2);
    const slow = gate();
    const log: string[] = [];
    posts.push('a', async () => {
      await slow.opened;
      log.push('a');
    });
    posts.push('b', async () => {
      log.push('b');
    });

    await tick();
    expect(log).toEqual(['b']);
    slow.open();
    await posts.drain();
    expect(log).toEqual(['b', 'a']);
  });

  it('posts to one connection one at a time, in the order queued, even when later ones are faster', async () => {
    const posts = orderedPosts(8);
    const log: string[] = [];
    let inFlightForA = 0;
    const delays = [30, 1, 10, 0, 5];
    delays.forEach((delay, n) => {
      posts.push('a', async () => {
        inFlightForA += 1;
        expect(inFlightForA).toBe(1);
        await new Promise((resolve) => setTimeout(resolve, delay));
        log.push(`a${n}`);
        inFlightForA -= 1;
      });
      posts.push(`other-${n}`, async () => {
        log.push(`o${n}`);
      });
    });

    await posts.drain();

    expect(log.filter((entry) => entry.startsWith('a'))).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(log).toHaveLength(10);
  });

  it('takes posts queued while it drains', async () => {
    const posts = orderedPosts(1);
    const log: string[] = [];
    posts.push('a', async () => {
      log.push('a1');
      posts.push('b', async () => {
        log.push('b1');
      });
    });

    await posts.drain();

    expect(log).toEqual(['a1', 'b1']);
  });

  it('starts nothing new after a post fails, and drain rejects with that error', async () => {
    const posts = orderedPosts(1);
    const ran: string[] = [];
    const failure = new Error('management API down');
    posts.push('a', async () => {
      ran.push('a');
      throw failure;
    });
    posts.push('a', async () => {
      ran.push('a again');
    });
    posts.push('b', async () => {
      ran.push('b');
    });

    await expect(posts.drain()).rejects.toBe(failure);
    expect(ran).toEqual(['a']);
  });

  it('drains at once when nothing was queued', async () => {
    await expect(orderedPosts(4).drain()).resolves.toBeUndefined();
  });

  it('refuses a concurrency that is not a positive integer', () => {
    expect(() => orderedPosts(0)).toThrow(RangeError);
    expect(() => orderedPosts(1.5)).toThrow(RangeError);
  });
});
