import { describe, expect, it } from 'vitest';
import {
  createSocketNotifier,
  inProcessNotifier,
  type LocalSocket,
  serveInProcess,
} from '#adapters/realtime/in-process-notifier';

const OPEN = 1;
const CLOSED = 3;

/** A socket that keeps the frames written to it. */
const socket = (readyState = OPEN) => {
  const frames: string[] = [];
  const value: LocalSocket = { readyState, OPEN, send: (data) => frames.push(data) };
  return { value, frames };
};

describe('createSocketNotifier', () => {
  it('writes the payload to the open socket of the connection', async () => {
    const open = socket();
    const notifier = createSocketNotifier((id) => (id === 'conn-1' ? open.value : undefined));

    expect(await notifier.post('conn-1', '{"type":"pong"}')).toBe('sent');
    expect(open.frames).toEqual(['{"type":"pong"}']);
  });

  it('answers gone for an unknown connection and for a socket that is no longer open', async () => {
    const closed = socket(CLOSED);
    const notifier = createSocketNotifier((id) => (id === 'closing' ? closed.value : undefined));

    expect(await notifier.post('unknown', 'x')).toBe('gone');
    expect(await notifier.post('closing', 'x')).toBe('gone');
    expect(closed.frames).toEqual([]);
  });

  it('refuses a frame over 128 KB as the management API does, and writes nothing', async () => {
    const open = socket();
    const notifier = createSocketNotifier(() => open.value);

    await expect(notifier.post('conn-1', 'x'.repeat(128 * 1024 + 1))).rejects.toThrow('refused (413)');
    expect(await notifier.post('conn-1', 'x'.repeat(128 * 1024))).toBe('sent');
    expect(open.frames).toHaveLength(1);
  });
});

describe('serveInProcess', () => {
  it('serves an endpoint until stopped, and only that endpoint', async () => {
    const notifier = createSocketNotifier(() => undefined);

    const stop = serveInProcess('http://127.0.0.1:3001', notifier);
    expect(inProcessNotifier('http://127.0.0.1:3001')).toBe(notifier);
    expect(inProcessNotifier('http://127.0.0.1:3002')).toBeUndefined();
    stop();
    expect(inProcessNotifier('http://127.0.0.1:3001')).toBeUndefined();
  });

  it('keeps a newer server’s registration when an older one for the same endpoint stops', () => {
    const [older, newer] = [createSocketNotifier(() => undefined), createSocketNotifier(() => undefined)];
    const stopOlder = serveInProcess('http://127.0.0.1:3001', older);
    const stopNewer = serveInProcess('http://127.0.0.1:3001', newer);

    stopOlder();

    expect(inProcessNotifier('http://127.0.0.1:3001')).toBe(newer);
    stopNewer();
  });
});
