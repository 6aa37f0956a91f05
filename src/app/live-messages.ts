/**
 * Audit events -> live messages (API.md "WebSocket"): which message type an event becomes, what
 * it carries, and the channels it goes to. Observers get the audit entry as `GET /v1/audit` shows
 * it (never a claim token: the audit snapshots hold none, and any `token` field is dropped here as
 * well); the assigned agent's `assignment` carries its claim and is built by the broadcaster,
 * which reads the item for the token.
 */
import { Action } from '#core/events';
import { type AuditEvent, EntityType } from '#core/model';
import type { Channel } from '#core/realtime/channels';
import {
  channelsOf,
  type Delivery,
  SERVER_MESSAGE_TYPES,
  type ServerMessage,
  type ServerMessageType,
} from '#core/realtime/messages';
import { cursorOf } from './event-cursor';
import { presentEvent } from './presenters';

/** API Gateway refuses WebSocket frames over 128 KB; larger messages are slimmed, never split. */
export const MAX_MESSAGE_BYTES = 128 * 1024;

const KNOWN_TYPES: ReadonlySet<string> = new Set(SERVER_MESSAGE_TYPES);

/** Audit actions that reach observers under another message type. */
const RENAMED: Readonly<Record<string, ServerMessageType>> = {
  [Action.AgentRetired]: 'agent.status',
};

/** Actions that are bookkeeping, not news (or go only to the assigned agent). */
const NOT_BROADCAST: ReadonlySet<string> = new Set([Action.Assignment, 'metrics']);

/** The observer message type of an audit action, or `undefined` when observers are not told. */
export const messageTypeOf = (action: string): ServerMessageType | undefined => {
  if (NOT_BROADCAST.has(action)) return undefined;
  const renamed = RENAMED[action];
  if (renamed) return renamed;
  return KNOWN_TYPES.has(action) ? (action as ServerMessageType) : undefined;
};

/** A deep copy without any field named `token` (claim tokens never reach observers). */
export const withoutTokens = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutTokens);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'token')
      .map(([key, inner]) => [key, withoutTokens(inner)]),
  );
};

/** The agents a `message` event is delivered to (its `after.recipients`). */
const recipientsOf = (event: AuditEvent): string[] => {
  const recipients = event.after?.recipients;
  return Array.isArray(recipients) ? recipients.filter((id): id is string => typeof id === 'string') : [];
};

/**
 * A `message` event's live message: the message itself (as `GET` shows it), to the item's and
 * team's channels (a thread message) and the recipients' own connections.
 */
const messageDelivery = (event: AuditEvent): Delivery => {
  const { recipients: _recipients, ...message } = event.after ?? {};
  const workId = typeof message.workId === 'string' ? message.workId : undefined;
  return {
    message: { type: 'message', seq: event.seq, at: event.at, data: message, cursor: cursorOf(event) },
    channels: channelsOf('message', {
      ...(workId !== undefined && { workId }),
      ...(event.team !== undefined && { team: event.team }),
      recipients: recipientsOf(event),
    }),
  };
};

/** Who or what an event is about, for its channels. */
const subjectOf = (event: AuditEvent) => ({
  ...(event.team !== undefined && { team: event.team }),
  ...(event.entityType === EntityType.Work && { workId: event.entityId }),
  ...(event.entityType === EntityType.Agent
    ? { agentId: event.entityId }
    : event.agentId !== undefined && { agentId: event.agentId }),
});

/** The observer message of an audit event and its channels, or `undefined` when none is sent. */
export const observerDelivery = (event: AuditEvent): Delivery | undefined => {
  if (event.action === Action.Message) return messageDelivery(event);
  const type = messageTypeOf(event.action);
  if (type === undefined) return undefined;
  const data = withoutTokens({
    ...presentEvent(event),
    ...(event.team !== undefined && { team: event.team }),
    ...(event.agentId !== undefined && { agentId: event.agentId }),
  }) as Record<string, unknown>;
  const message: ServerMessage = { type, seq: event.seq, at: event.at, data, cursor: cursorOf(event) };
  return { message, channels: channelsOf(type, subjectOf(event)) };
};

/** Where an `assignment` event says the work is: the item and the lease it was assigned with. */
export const assignmentTarget = (
  event: AuditEvent,
): { readonly agentId: string; readonly workId: string } | undefined => {
  if (event.action !== Action.Assignment) return undefined;
  const workId = event.after?.workId;
  return typeof workId === 'string' ? { agentId: event.entityId, workId } : undefined;
};

/** The assigned agent's inbox. */
export const inboxOf = (agentId: string): Channel[] => channelsOf('assignment', { agentId });

/**
 * The message as sent: JSON, at most {@link MAX_MESSAGE_BYTES}. A larger one goes without its
 * `before`/`after` snapshots and says `truncated: true` (the client reads the entity instead).
 */
export const serialize = (message: ServerMessage): string => {
  const text = JSON.stringify(message);
  if (new TextEncoder().encode(text).length <= MAX_MESSAGE_BYTES) return text;
  const { before: _before, after: _after, ...slim } = message.data;
  return JSON.stringify({ ...message, data: { ...slim, truncated: true } });
};
