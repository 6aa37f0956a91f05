/**
 * Server messages of the live API (WebSocket, and the event stream): their types, their shape,
 * and where each goes. One audit event becomes at most one message to observers (and, for an
 * assignment, one to the assigned agent's own connections).
 */
import { type Channel, channelName } from './channels';

/** Message types sent to subscribers (API.md "WebSocket" plus the later additions). */
export const SERVER_MESSAGE_TYPES = [
  'work.created',
  'work.claimed',
  'work.progress',
  'work.completed',
  'work.released',
  'work.failed',
  'work.escalated',
  'work.cancelled',
  'work.reassigned',
  'work.unblocked',
  'work.retried',
  'agent.registered',
  'agent.status',
  'agent.updated',
  'assignment',
  'escalation',
  'escalation.resolved',
  'metrics',
  'message',
] as const;

/** A server message type. */
export type ServerMessageType = (typeof SERVER_MESSAGE_TYPES)[number];

/**
 * A message about something that happened. `seq` is the audit event's sequence (increasing per
 * entity; clients de-duplicate by entity and `seq`); `cursor`, where present, resumes a replay
 * after this message.
 */
export interface ServerMessage {
  readonly type: ServerMessageType;
  readonly seq: number;
  readonly at: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly cursor?: string;
}

/** A reply to a client's own message (`subscribed`, `pong`, `error`, `ai.delta`, `ai.done`): never a `seq`. */
export interface ReplyMessage {
  readonly type: string;
  readonly at: string;
  readonly [field: string]: unknown;
}

/** A message and the channels it goes to. */
export interface Delivery {
  readonly message: ServerMessage;
  readonly channels: readonly Channel[];
}

/**
 * The channels of an observer message, by its type (API.md "Clarifications"): `work.*` to the
 * team, the item and `all`; `agent.*` to the team, the agent and `all`; escalations to the team,
 * `admin` and `all`; `metrics` to `all`. An `assignment` goes only to the agent's inbox. A
 * `message` goes to the inboxes of its `recipients` (the addressed and mentioned agents) and, on
 * a work item's thread, to the item and the team; a direct message to nobody else.
 */
export const channelsOf = (
  type: ServerMessageType,
  subject: {
    readonly team?: string;
    readonly workId?: string;
    readonly agentId?: string;
    readonly recipients?: readonly string[];
  },
): Channel[] => {
  const team: Channel[] = subject.team ? [{ kind: 'team', team: subject.team }] : [];
  if (type === 'metrics') return [{ kind: 'all' }];
  if (type === 'message') {
    const inboxes = (subject.recipients ?? []).map((agentId): Channel => ({ kind: 'inbox', agentId }));
    return subject.workId ? [{ kind: 'work', workId: subject.workId }, ...team, ...inboxes] : inboxes;
  }
  if (type === 'assignment') return subject.agentId ? [{ kind: 'inbox', agentId: subject.agentId }] : [];
  if (type === 'escalation' || type === 'escalation.resolved')
    return [...team, { kind: 'admin' }, { kind: 'all' }];
  if (type.startsWith('work.')) {
    return [
      ...team,
      ...(subject.workId ? [{ kind: 'work', workId: subject.workId } as const] : []),
      { kind: 'all' },
    ];
  }
  return [
    ...team,
    ...(subject.agentId ? [{ kind: 'agent', agentId: subject.agentId } as const] : []),
    { kind: 'all' },
  ];
};

/** Channel names, for storage and logs. */
export const channelNames = (channels: readonly Channel[]): string[] => channels.map(channelName);
