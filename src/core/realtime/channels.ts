/**
 * Live-update channels (API.md "WebSocket" and "Clarifications"): their names, who may join
 * which, and which channels each kind of server message goes to. Pure rules: the WebSocket
 * handlers decide joins with them, the broadcaster fans out with them, and the event stream
 * (`GET /v1/events`) filters with them, so all three agree.
 */
import { type Principal, Role } from '../roles';

/** Channel kinds a client may name in `subscribe`. */
export const ChannelKind = {
  Team: 'team',
  Agent: 'agent',
  Work: 'work',
  All: 'all',
  Admin: 'admin',
} as const;

/** A channel kind clients may name. */
export type ChannelKind = (typeof ChannelKind)[keyof typeof ChannelKind];

/**
 * A parsed channel. `inbox` is the server's own channel of an agent's connections: joined at
 * `$connect` by every agent connection, never by `subscribe`; `assignment` (and direct messages)
 * go there, so an agent receives them without subscribing.
 */
export type Channel =
  | { readonly kind: 'team'; readonly team: string }
  | { readonly kind: 'agent'; readonly agentId: string }
  | { readonly kind: 'work'; readonly workId: string }
  | { readonly kind: 'all' }
  | { readonly kind: 'admin' }
  | { readonly kind: 'inbox'; readonly agentId: string };

/** Longest channel name accepted. */
export const MAX_CHANNEL_LENGTH = 200;

// Names and ids never hold whitespace, control characters or `#` (key separator in storage).
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,190}$/;

/** The channel a client named, or `undefined` when it is not a channel clients may name. */
export const parseChannel = (text: string): Channel | undefined => {
  if (text.length > MAX_CHANNEL_LENGTH) return undefined;
  if (text === ChannelKind.All) return { kind: 'all' };
  if (text === ChannelKind.Admin) return { kind: 'admin' };
  const at = text.indexOf(':');
  if (at <= 0) return undefined;
  const kind = text.slice(0, at);
  const name = text.slice(at + 1);
  if (!NAME.test(name)) return undefined;
  if (kind === ChannelKind.Team) return { kind: 'team', team: name };
  if (kind === ChannelKind.Agent) return { kind: 'agent', agentId: name };
  if (kind === ChannelKind.Work) return { kind: 'work', workId: name };
  return undefined;
};

/** The channel's wire name (`team:platform`, `all`, `inbox:builder-1`). */
export const channelName = (channel: Channel): string => {
  switch (channel.kind) {
    case 'team':
      return `team:${channel.team}`;
    case 'agent':
      return `agent:${channel.agentId}`;
    case 'work':
      return `work:${channel.workId}`;
    case 'inbox':
      return `inbox:${channel.agentId}`;
    default:
      return channel.kind;
  }
};

/** What deciding a join may need to know besides the principal. */
export interface JoinFacts {
  /** For an agent principal: its team. */
  readonly agentTeam?: string;
  /** For `work:<id>`: the item's team, or `undefined` when no such item exists. */
  readonly workTeam?: string;
}

/**
 * Whether `principal` may join `channel`. Admins may join every channel; viewers and members every
 * channel but `admin`; agents their own `agent:<id>`, their `team:<team>` and `work:<id>` of an item of
 * that team. Nobody joins an `inbox` by subscribing. Roles without a rule here join nothing.
 */
export const mayJoin = (principal: Principal, channel: Channel, facts: JoinFacts = {}): boolean => {
  if (channel.kind === 'inbox') return false;
  switch (principal.role) {
    case Role.Admin:
      return true;
    case Role.Viewer:
    case Role.Member:
      return channel.kind !== 'admin';
    case Role.Agent:
      if (channel.kind === 'agent') return channel.agentId === principal.agentId;
      if (channel.kind === 'team') return facts.agentTeam !== undefined && channel.team === facts.agentTeam;
      if (channel.kind === 'work') return facts.agentTeam !== undefined && facts.workTeam === facts.agentTeam;
      return false;
    default:
      return false;
  }
};

/** The channels an agent connection joins at `$connect`, without subscribing. */
export const implicitChannels = (principal: Principal): Channel[] =>
  principal.role === Role.Agent && principal.agentId ? [{ kind: 'inbox', agentId: principal.agentId }] : [];
