/**
 * The WebSocket connection: subscribes to its channels on open, reports its state, reconnects
 * with exponential backoff (with jitter, capped) after any loss, and drops duplicates (delivery
 * is at least once). A connection that stops answering pings is treated as lost. Whoever uses
 * it re-reads what it shows on every `open`, which covers whatever happened while it was away.
 */
import type { ServerMessage } from './types';

export type LiveState =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'live' }
  | { readonly kind: 'offline'; readonly retryAt: number };

export interface LiveOptions {
  readonly url: string;
  readonly token: string;
  readonly channels: readonly string[];
  readonly onMessage: (message: ServerMessage) => void;
  readonly onState: (state: LiveState) => void;
  /** Connected (again) and subscribed: time to re-read. */
  readonly onOpen: () => void;
}

export interface LiveConnection {
  /** Reconnects now instead of waiting for the next try. */
  retryNow(): void;
  close(): void;
  /** Follows more channels (an open item's `work:<id>`), now and after every reconnect. */
  join(channels: readonly string[]): void;
  /** Stops following channels `join` added. */
  leave(channels: readonly string[]): void;
}

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;
const PING_EVERY_MS = 25_000;
const PONG_WITHIN_MS = 10_000;
const REMEMBERED = 2000;

/** Delay before try number `attempt` (0-based): doubling from 1 s up to 30 s, 50..100% of it. */
export const backoffMs = (attempt: number, random = Math.random()): number =>
  Math.round(Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** attempt) * (0.5 + random / 2));

/** What makes a message unique: its cursor, else its type, entity and sequence. */
const identityOf = (message: ServerMessage): string | undefined => {
  if (message.cursor) return message.cursor;
  if (message.seq === undefined) return undefined;
  const data = message.data ?? {};
  const nested = (data.item ?? data.agent ?? data.escalation) as { id?: unknown } | undefined;
  const entity = data.id ?? data.workId ?? data.agentId ?? nested?.id ?? '';
  return `${message.type}|${String(entity)}|${message.seq}|${message.at}`;
};

export const connectLive = (options: LiveOptions): LiveConnection => {
  let socket: WebSocket | undefined;
  let attempt = 0;
  let retryTimer: number | undefined;
  let pingTimer: number | undefined;
  let pongTimer: number | undefined;
  let closed = false;
  let subscribedOnce = false;
  const seen = new Set<string>();
  const extra = new Set<string>();
  const sendIfOpen = (frame: unknown) => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  };

  const remember = (key: string): boolean => {
    if (seen.has(key)) return false;
    seen.add(key);
    if (seen.size > REMEMBERED) seen.delete(seen.values().next().value as string);
    return true;
  };

  const stopTimers = () => {
    window.clearInterval(pingTimer);
    window.clearTimeout(pongTimer);
    window.clearTimeout(retryTimer);
  };

  const scheduleRetry = () => {
    stopTimers();
    if (closed) return;
    const delay = backoffMs(attempt);
    attempt += 1;
    options.onState({ kind: 'offline', retryAt: Date.now() + delay });
    retryTimer = window.setTimeout(open, delay);
  };

  const open = () => {
    stopTimers();
    options.onState({ kind: 'connecting' });
    const url = new URL(options.url);
    url.searchParams.set('token', options.token);
    const current = new WebSocket(url);
    socket = current;
    current.addEventListener('open', () => {
      subscribedOnce = false;
      current.send(JSON.stringify({ action: 'subscribe', channels: [...options.channels, ...extra] }));
      pingTimer = window.setInterval(() => {
        current.send(JSON.stringify({ action: 'ping' }));
        pongTimer = window.setTimeout(() => current.close(), PONG_WITHIN_MS);
      }, PING_EVERY_MS);
    });
    current.addEventListener('message', (event) => {
      window.clearTimeout(pongTimer);
      let message: ServerMessage;
      try {
        message = JSON.parse(String(event.data)) as ServerMessage;
      } catch {
        return;
      }
      if (message.type === 'subscribed') {
        // Only the subscription of a new connection calls for a re-read; a `join` later does not.
        if (subscribedOnce) return;
        subscribedOnce = true;
        attempt = 0;
        options.onState({ kind: 'live' });
        options.onOpen();
        return;
      }
      if (message.type === 'pong' || message.type === 'error') return;
      const identity = identityOf(message);
      if (identity === undefined || remember(identity)) options.onMessage(message);
    });
    current.addEventListener('close', () => {
      if (socket === current) scheduleRetry();
    });
  };

  open();
  return {
    retryNow: () => {
      if (socket?.readyState === WebSocket.OPEN) return;
      attempt = 0;
      const old = socket;
      socket = undefined;
      old?.close();
      open();
    },
    close: () => {
      closed = true;
      stopTimers();
      socket?.close();
    },
    join: (channels) => {
      const added = channels.filter((channel) => !extra.has(channel));
      for (const channel of added) extra.add(channel);
      if (added.length > 0) sendIfOpen({ action: 'subscribe', channels: added });
    },
    leave: (channels) => {
      const removed = channels.filter((channel) => extra.delete(channel));
      if (removed.length > 0) sendIfOpen({ action: 'unsubscribe', channels: removed });
    },
  };
};
