import { HeartbeatMessage } from '#app/schemas/messages';
import { applyHeartbeats } from '#app/use-cases/apply-heartbeats';
import type { Heartbeat } from '#core/agents/heartbeat';
import { recordHeartbeatLag } from '../shared/observability';
import { queueConsumer } from '../shared/queue';
import { deps } from '../shared/wiring';

/**
 * The `heartbeats` queue consumer: a batch's heartbeats grouped per agent, each agent's applied
 * as one update (and its leases renewed); an unknown agent's heartbeats are dropped, a body
 * that is no heartbeat fails alone and ends in the DLQ.
 */
export const handler = queueConsumer<Heartbeat>({
  queue: 'heartbeats',
  schema: HeartbeatMessage,
  groupBy: (heartbeat) => heartbeat.agentId,
  facts: (heartbeat) => ({ agent: heartbeat.agentId }),
  handle: async (heartbeats, _records, { metrics }) => {
    await applyHeartbeats(deps(), heartbeats);
    recordHeartbeatLag(
      metrics,
      heartbeats.map((heartbeat) => heartbeat.at),
      new Date(),
    );
  },
});
