/**
 * Messages people and agents exchange (API.md "Additions", Messages): a work item's thread and
 * an agent's inbox. Not the heartbeat queue's messages (`messages.ts`).
 */
import type { Static } from '@sinclair/typebox';
import { Type } from '#app/schemas/type';
import { MAX_MENTIONS, MAX_MESSAGE_BODY_BYTES } from '#core/messages';
import { AgentId, Closed, PageQuery, Text, Timestamp } from './common';
import { ActorView } from './views';

const MESSAGE_ID_PATTERN = '^msg_[0-9A-HJKMNP-TV-Z]{26}$';

/** A message id: `msg_` and a ULID, so ids sort by the time they were posted. */
export const MessageId = Type.String({
  pattern: MESSAGE_ID_PATTERN,
  description: 'A message id (`msg_` and 26 characters); ids sort by the time the message was posted.',
});

/** `POST /v1/work/{id}/messages` and `POST /v1/agents/{id}/messages`. */
export const PostMessageBody = Closed({
  body: Text({
    minLength: 1,
    maxLength: MAX_MESSAGE_BODY_BYTES,
    description: `Plain text, at most ${MAX_MESSAGE_BODY_BYTES} bytes of UTF-8; no control characters but tab and newline. Kept and sent as data, never as HTML.`,
  }),
  mentions: Type.Optional(
    Type.Array(AgentId, {
      maxItems: MAX_MENTIONS,
      description: "Agents of the message's team to notify: each gets the message in its inbox and live.",
    }),
  ),
});
export type PostMessageBody = Static<typeof PostMessageBody>;

/** A message as every read and live update shows it. */
export const MessageView = Closed({
  id: MessageId,
  at: Timestamp,
  from: ActorView,
  body: Type.String(),
  mentions: Type.Array(Type.String()),
  workId: Type.Optional(Type.String({ description: "Set on a work item's thread." })),
  to: Type.Optional(Type.String({ description: 'Set on a direct message: the agent it was sent to.' })),
});
export type MessageView = Static<typeof MessageView>;

/** `GET /v1/work/{id}/messages`. */
export const ThreadQuery = Closed({ ...PageQuery });
export type ThreadQuery = Static<typeof ThreadQuery>;

/** A page of a thread, oldest first. */
export const MessagePage = Closed({
  items: Type.Array(MessageView),
  nextCursor: Type.Optional(Type.String()),
});
export type MessagePage = Static<typeof MessagePage>;

/** `GET /v1/agents/{id}/messages?unread=1`. */
export const InboxQuery = Closed({
  unread: Type.Optional(
    Type.Union([Type.Literal('1'), Type.Literal('0'), Type.Literal('true'), Type.Literal('false')], {
      description: 'With `1`, only the messages after the read marker.',
    }),
  ),
  ...PageQuery,
});
export type InboxQuery = Static<typeof InboxQuery>;

/** A page of an inbox, oldest first, with the read marker. */
export const InboxPage = Closed({
  items: Type.Array(MessageView),
  nextCursor: Type.Optional(Type.String()),
  readUpTo: Type.Optional(
    Type.String({ description: 'The id of the newest message marked read; absent when none was.' }),
  ),
});
export type InboxPage = Static<typeof InboxPage>;

/** `POST /v1/agents/{id}/messages/read`. */
export const MarkReadBody = Closed({
  upTo: Type.String({
    pattern: MESSAGE_ID_PATTERN,
    description:
      'A message id (not a list cursor): every message of the inbox up to and including it counts as read. The marker never moves back.',
  }),
});
export type MarkReadBody = Static<typeof MarkReadBody>;

/** The read marker after `POST /v1/agents/{id}/messages/read`. */
export const ReadMarkView = Closed({ agentId: Type.String(), readUpTo: MessageId });
export type ReadMarkView = Static<typeof ReadMarkView>;
