/**
 * A WebSocket client for black-box tests of the live API: connects with a token, keeps every
 * message it receives, and waits for one matching a predicate (polling with a deadline, never a
 * fixed sleep). A refused upgrade resolves with the HTTP status instead of a connection.
 */
import { afterAll } from 'vitest';
import WebSocket from 'ws';

/** Any message the server sends (server messages and replies). */
export type LiveMessage = { readonly type: string; readonly [field: string]: unknown };

/** An open test connection. */
export interface LiveClient {
  readonly socket: WebSocket;
  readonly messages: LiveMessage[];
  send(message: unknown): void;
  /** The first message (already received or arriving within `timeoutMs`) matching `match`. */
  waitFor(match: (message: LiveMessage) => boolean, timeoutMs?: number): Promise<LiveMessage>;
  /** Subscribes and waits for the `subscribed` reply. */
  subscribe(channels: readonly string[]): Promise<LiveMessage>;
  close(): void;
}

/** Opens a connection, or resolves with the status of the refused upgrade. */
export const connectLive = (
  wsUrl: string,
  token: string | undefined,
): Promise<{ readonly client: LiveClient } | { readonly refusedWith: number }> =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(
      token === undefined ? `${wsUrl}/` : `${wsUrl}/?token=${encodeURIComponent(token)}`,
    );
    const messages: LiveMessage[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(data.toString()) as LiveMessage));
    socket.once('unexpected-response', (_request, response) => {
      resolve({ refusedWith: response.statusCode ?? 0 });
      socket.terminate();
    });
    socket.once('error', (error) => {
      if (socket.readyState !== WebSocket.CLOSED) reject(error);
    });
    socket.once('open', () => {
      const waitFor = async (match: (message: LiveMessage) => boolean, timeoutMs = 20_000) => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const found = messages.find(match);
          if (found) return found;
          if (Date.now() > deadline) {
            throw new Error(
              `No matching message within ${timeoutMs} ms; got ${JSON.stringify(messages).slice(0, 2000)}`,
            );
          }
          await new Promise((wake) => setTimeout(wake, 25));
        }
      };
      const client: LiveClient = {
        socket,
        messages,
        send: (message) => socket.send(JSON.stringify(message)),
        waitFor,
        subscribe: async (channels) => {
          const before = messages.length;
          socket.send(JSON.stringify({ action: 'subscribe', channels }));
          return waitFor((message) => message.type === 'subscribed' && messages.indexOf(message) >= before);
        },
        close: () => socket.close(),
      };
      resolve({ client });
    });
  });

/** Opens a connection that must be accepted. */
export const openLive = async (wsUrl: string, token: string): Promise<LiveClient> => {
  const outcome = await connectLive(wsUrl, token);
  if (!('client' in outcome)) throw new Error(`The upgrade was refused with ${outcome.refusedWith}`);
  return outcome.client;
};

/**
 * Opens live clients on `wsUrl` for one test file and closes every one of them after its tests
 * (call it at the top level of the file).
 */
export const liveClientsOf = (wsUrl: string): ((token: string) => Promise<LiveClient>) => {
  const open: LiveClient[] = [];
  afterAll(() => {
    for (const client of open) client.close();
  });
  return async (token) => {
    const client = await openLive(wsUrl, token);
    open.push(client);
    return client;
  };
};
