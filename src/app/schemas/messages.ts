/**
 * Bodies of the messages the service puts on its queues. The producer builds them from a typed
 * value and the consumer checks each received body against the same schema, so a message the
 * consumer cannot read is one that no producer of this version wrote.
 */
import { type Static, Type } from '@sinclair/typebox';
import { ReportedStatus } from '#core/agents/status';
import { AgentId, Closed, literalUnion, Timestamp } from './common';

/** A heartbeat on the `heartbeats` queue (see `Heartbeat` in core). */
export const HeartbeatMessage = Closed({
  agentId: AgentId,
  at: Timestamp,
  status: Type.Optional(literalUnion(Object.values(ReportedStatus))),
  requestId: Type.String({ minLength: 1, maxLength: 256 }),
});
export type HeartbeatMessage = Static<typeof HeartbeatMessage>;
