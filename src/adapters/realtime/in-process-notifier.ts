/**
 * Posting to connections that live in this process: the local WebSocket server registers its
 * sockets under its management endpoint, and a notifier for that endpoint writes the frame to
 * the socket directly instead of sending `PostToConnection` over HTTP to the same process. The
 * outcomes are the management API's: `gone` for a connection that is not open, a refusal for a
 * frame over API Gateway's 128 KB limit. On AWS nothing registers, so nothing changes there.
 */
import type { ConnectionNotifier, PostOutcome } from '#core/realtime/ports';

/** API Gateway's frame limit, which the management API enforces. */
const MAX_FRAME_BYTES = 128 * 1024;

/** What the notifier needs of a socket (the `ws` package's `WebSocket` has it). */
export interface LocalSocket {
  readonly readyState: number;
  readonly OPEN: number;
  send(data: string): void;
}

/** A {@link ConnectionNotifier} writing to the sockets `socketOf` finds. */
export const createSocketNotifier = (
  socketOf: (connectionId: string) => LocalSocket | undefined,
): ConnectionNotifier => ({
  async post(connectionId: string, payload: string): Promise<PostOutcome> {
    const socket = socketOf(connectionId);
    if (!socket || socket.readyState !== socket.OPEN) return 'gone';
    if (Buffer.byteLength(payload) > MAX_FRAME_BYTES) {
      throw new Error(`PostToConnection to ${connectionId} was refused (413).`);
    }
    socket.send(payload);
    return 'sent';
  },
});

const byEndpoint = new Map<string, ConnectionNotifier>();

/**
 * Serves posts to `endpoint` in this process with `notifier` until the returned function is
 * called (the local WebSocket server does this while it listens).
 */
export const serveInProcess = (endpoint: string, notifier: ConnectionNotifier): (() => void) => {
  byEndpoint.set(endpoint, notifier);
  return () => {
    if (byEndpoint.get(endpoint) === notifier) byEndpoint.delete(endpoint);
  };
};

/** The in-process notifier serving `endpoint`, or `undefined` when posts must go over HTTP. */
export const inProcessNotifier = (endpoint: string): ConnectionNotifier | undefined =>
  byEndpoint.get(endpoint);
