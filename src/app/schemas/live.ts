/**
 * Client messages of the WebSocket API (API.md "WebSocket"), as TypeBox schemas. The message
 * handler checks a frame against the schema of its `action`.
 */
import type { Static } from '@sinclair/typebox';
import { Type } from '#app/schemas/type';
import { MAX_CHANNEL_LENGTH } from '#core/realtime/channels';
import { Closed } from './common';

/** Channels named in one subscribe or unsubscribe. */
export const MAX_CHANNELS_PER_MESSAGE = 50;

const Channels = Type.Array(Type.String({ minLength: 1, maxLength: MAX_CHANNEL_LENGTH }), {
  minItems: 1,
  maxItems: MAX_CHANNELS_PER_MESSAGE,
});

/** `{"action": "subscribe", "channels": [...], "after"?}` */
export const SubscribeMessage = Closed({
  action: Type.Literal('subscribe'),
  channels: Channels,
  after: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
});
export type SubscribeMessage = Static<typeof SubscribeMessage>;

/** `{"action": "unsubscribe", "channels": [...]}` */
export const UnsubscribeMessage = Closed({ action: Type.Literal('unsubscribe'), channels: Channels });
export type UnsubscribeMessage = Static<typeof UnsubscribeMessage>;

/** `{"action": "ping"}` */
export const PingMessage = Closed({ action: Type.Literal('ping') });

/** `{"action": "ask", "id": "...", "question": "..."}` */
export const AskMessage = Closed({
  action: Type.Literal('ask'),
  id: Type.String({ minLength: 1, maxLength: 128 }),
  question: Type.String({ minLength: 1, maxLength: 4000 }),
});
export type AskMessage = Static<typeof AskMessage>;

/** `GET /v1/events?channels=a,b&after=<cursor>` */
export const EventsQuery = Closed({
  channels: Type.String({ minLength: 1, maxLength: MAX_CHANNELS_PER_MESSAGE * (MAX_CHANNEL_LENGTH + 1) }),
  after: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
});
export type EventsQuery = Static<typeof EventsQuery>;

/** The schema of each client action. */
export const CLIENT_MESSAGES = {
  subscribe: SubscribeMessage,
  unsubscribe: UnsubscribeMessage,
  ping: PingMessage,
  ask: AskMessage,
} as const;
