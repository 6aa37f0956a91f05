import type { Ports } from '#core/ports';
import { type Channel, channelName, mayJoin, parseChannel } from '#core/realtime/channels';
import type { Connection } from '#core/realtime/ports';
import { Role } from '#core/roles';
import type { RealtimePorts } from './deps';

/** What a subscribe decided: the channels joined and, for each refused one, why. */
export interface SubscribeOutcome {
  readonly joined: string[];
  readonly refused: { readonly channel: string; readonly code: 'forbidden' | 'validation_error' }[];
}

/** Whether the connection's principal may join one channel (reads the item for an agent's `work:`). */
const mayJoinChannel = async (
  deps: Pick<Ports, 'work'>,
  connection: Connection,
  channel: Channel,
): Promise<boolean> => {
  const { principal } = connection;
  const needsItem = principal.role === Role.Agent && channel.kind === 'work';
  const workTeam = needsItem ? (await deps.work.get(channel.workId))?.team : undefined;
  return mayJoin(principal, channel, {
    ...(connection.agentTeam !== undefined && { agentTeam: connection.agentTeam }),
    ...(workTeam !== undefined && { workTeam }),
  });
};

/**
 * `subscribe`: joins each named channel the caller may see (channels.ts rules); the others are
 * refused one by one (`forbidden`, or `validation_error` for a name that is not a channel).
 * 1. read the connection; 2. decide each channel; 3. record the joined ones.
 * Returns `undefined` when the connection is not known (closed meanwhile).
 */
export const subscribe = async (
  deps: Pick<Ports, 'work'> & Pick<RealtimePorts, 'connections'>,
  input: { readonly connectionId: string; readonly channels: readonly string[] },
): Promise<SubscribeOutcome | undefined> => {
  const connection = await deps.connections.get(input.connectionId);
  if (!connection) return undefined;
  const names = [...new Set(input.channels)];
  type Decision = { readonly name: string; readonly code?: 'forbidden' | 'validation_error' };
  const decided = await Promise.all(
    names.map(async (name): Promise<Decision> => {
      const channel = parseChannel(name);
      if (!channel) return { name, code: 'validation_error' };
      return (await mayJoinChannel(deps, connection, channel))
        ? { name: channelName(channel) }
        : { name, code: 'forbidden' };
    }),
  );
  const joined = decided.filter((each) => each.code === undefined).map((each) => each.name);
  const refused = decided.flatMap(({ name, code }) => (code === undefined ? [] : [{ channel: name, code }]));
  if (joined.length > 0) await deps.connections.subscribe(connection.id, joined);
  return { joined, refused };
};

/**
 * `unsubscribe`: leaves the named channels (leaving one not joined is a no-op). An agent's inbox
 * is not a channel clients name, so it cannot be left.
 */
export const unsubscribe = async (
  deps: Pick<RealtimePorts, 'connections'>,
  input: { readonly connectionId: string; readonly channels: readonly string[] },
): Promise<string[]> => {
  const names = input.channels.flatMap((name) => {
    const channel = parseChannel(name);
    return channel ? [channelName(channel)] : [];
  });
  if (names.length > 0) await deps.connections.unsubscribe(input.connectionId, names);
  return names;
};
