import type { HeartbeatPublisher } from '#core/agents/heartbeat';
import { assertActsAs } from '#core/authz';
import type { Ports } from '#core/ports';
import { iso } from '#core/time';
import type { RequestContext } from '../context';
import type { HeartbeatBody } from '../schemas/agents';

/**
 * `POST /v1/agents/{id}/heartbeat`: accept a heartbeat and hand it to the `heartbeats` queue,
 * whose consumer (`applyHeartbeats`) records it and renews the agent's leases. Nothing is read
 * or written here, so a heartbeat costs the store nothing until a batch coalesces it.
 * 1. an agent heartbeats only as itself (403; its token already proved the agent exists);
 * 2. publish `{agentId, at: now, status?, requestId}`.
 * @throws ForbiddenError; UnavailableError when the queue does not take it.
 */
export const recordHeartbeat = async (
  deps: Pick<Ports, 'clock'> & { readonly heartbeats: HeartbeatPublisher },
  ctx: RequestContext,
  input: HeartbeatBody & { id: string },
): Promise<void> => {
  assertActsAs(ctx.principal, input.id);
  await deps.heartbeats.publish({
    agentId: input.id,
    at: iso(deps.clock.now()),
    ...(input.status === undefined ? {} : { status: input.status }),
    requestId: ctx.requestId,
  });
};
