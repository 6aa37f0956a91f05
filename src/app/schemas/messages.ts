/**
 * Bodies of the messages the service puts on its queues. The producer builds them from a typed
 * value and the consumer checks each received body against the same schema, so a message the
 * consumer cannot read is one that no producer of this version wrote.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { Type } from '#app/schemas/type';
import type { Heartbeat } from '#core/agents/heartbeat';
import { ReportedStatus } from '#core/agents/status';
import { AgentId, Closed, literalUnion, Timestamp } from './common';

/** `[]` when `A` and `B` are the same type with the same keys, else `[never]`. */
type SameType<A, B> = [A, keyof A] extends [B, keyof B]
  ? [B, keyof B] extends [A, keyof A]
    ? []
    : [never]
  : [never];

/**
 * A message type is written once, in core; its schema here must describe exactly that type.
 * `describing<T>()(schema)` compiles only when `Static<typeof schema>` and `T` are the same.
 */
const describing =
  <T>() =>
  <S extends TSchema>(schema: S, ..._sameType: SameType<Static<S>, T>): S =>
    schema;

/** A heartbeat on the `heartbeats` queue: the schema of core's `Heartbeat`. */
export const HeartbeatMessage = describing<Heartbeat>()(
  Closed({
    agentId: AgentId,
    at: Timestamp,
    status: Type.Optional(literalUnion(Object.values(ReportedStatus))),
    requestId: Type.String({ minLength: 1, maxLength: 256 }),
  }),
);
