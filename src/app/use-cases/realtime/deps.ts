import type { ConnectionNotifier, ConnectionStore } from '#core/realtime/ports';

/** What live updates need besides the core ports: the connection store and the notifier. */
export interface RealtimePorts {
  readonly connections: ConnectionStore;
  readonly notifier: ConnectionNotifier;
}

/** A reply to a client message (`subscribed`, `pong`, `error`): `{type, at, ...}`, never a `seq`. */
export const reply = (at: Date, type: string, fields: Record<string, unknown> = {}): string =>
  JSON.stringify({ type, at: at.toISOString(), ...fields });
