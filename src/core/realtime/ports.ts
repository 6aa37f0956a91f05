/**
 * What live updates need from the outside world: where connections and their subscriptions are
 * kept, and how a message reaches one connection. The DynamoDB Connections table and the API
 * Gateway management API (`PostToConnection`) implement them; locally the same management client
 * talks to the local WebSocket server's `@connections` endpoint.
 */
import type { Page } from '../ports';
import type { Principal } from '../roles';

/** An open WebSocket connection and who opened it. */
export interface Connection {
  /** API Gateway's connection id. */
  readonly id: string;
  readonly principal: Principal;
  /** For agent principals: the agent's team when it connected (for join decisions). */
  readonly agentTeam?: string;
  readonly connectedAt: string;
  /** When the record expires on its own (TTL), so a connection whose `$disconnect` was lost goes away. */
  readonly expiresAt: string;
}

/**
 * Where a channel's subscriber list stands: a new `token` each time a connection joins or leaves
 * the channel (written before the change is acknowledged), and when that was.
 */
export interface ChannelVersion {
  readonly token: string;
  /** When the list last changed, in epoch milliseconds (the writer's clock). */
  readonly changedAtMs: number;
}

/** Connections and their subscriptions (channel wire names, see `channels.ts`). */
export interface ConnectionStore {
  /** Records a new connection with its implicit channels (an agent's inbox). */
  add(connection: Connection, channels: readonly string[]): Promise<void>;
  get(id: string): Promise<Connection | undefined>;
  /** Adds subscriptions (joining a channel twice is a no-op). */
  subscribe(id: string, channels: readonly string[]): Promise<void>;
  /** Removes subscriptions (leaving a channel not joined is a no-op). */
  unsubscribe(id: string, channels: readonly string[]): Promise<void>;
  /** The channels a connection has joined, implicit ones included. */
  channelsOf(id: string): Promise<string[]>;
  /** Forgets a connection and every subscription of it (a no-op if already gone). */
  remove(id: string): Promise<void>;
  /** Ids of the connections subscribed to `channel`, a page at a time (an index Query, never a scan). */
  subscribersOf(
    channel: string,
    page: { readonly limit: number; readonly cursor?: string },
  ): Promise<Page<string>>;
  /**
   * The current version of each channel's subscriber list (a strongly consistent read; a channel
   * nobody joined since its versions expired has none). Every `add`, `subscribe`, `unsubscribe`
   * and `remove` gives each channel it touches a new version before it resolves.
   */
  channelVersions(channels: readonly string[]): Promise<ReadonlyMap<string, ChannelVersion>>;
}

/** The outcome of posting to one connection. */
export type PostOutcome = 'sent' | 'gone';

/** Sends one serialized message to one connection. */
export interface ConnectionNotifier {
  /**
   * @returns `gone` when the connection no longer exists (the caller removes it)
   * @throws UnavailableError when the management API is throttled or failing (worth a retry)
   */
  post(connectionId: string, payload: string): Promise<PostOutcome>;
}
