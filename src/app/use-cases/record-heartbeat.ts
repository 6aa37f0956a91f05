import { recordHeartbeat as decideHeartbeat } from '#core/agents/lifecycle';
import { assertActsAs } from '#core/authz';
import type { Ports } from '#core/ports';
import { renewLease } from '#core/work/holder-actions';
import type { RequestContext } from '../context';
import type { HeartbeatBody } from '../schemas/agents';
import { currentSettings, type SettingsDeps } from '../settings';
import { changeAgent } from './shared/agent-change';
import { workContextOf } from './shared/context';
import { changeEach, heldItems } from './shared/held-items';

/**
 * `POST /v1/agents/{id}/heartbeat`: the agent is alive; its leases renew. Applied directly for
 * now; a queue consumer will call this same function for coalesced heartbeats.
 * 1. an agent heartbeats only as itself (403); 2. read it (404); 3. record `lastHeartbeatAt` and
 * the reported status (an `agent.status` event only when the derived status or the reported one
 * changes: heartbeats are liveness, not history); 4. renew the lease and holder snapshot of each
 * item it holds, each its own conditional change.
 * @throws ForbiddenError, NotFoundError
 */
export const recordHeartbeat = async (
  deps: Pick<Ports, 'clock' | 'ids' | 'agents' | 'work' | 'uow'> & SettingsDeps,
  ctx: RequestContext,
  input: HeartbeatBody & { id: string },
): Promise<void> => {
  assertActsAs(ctx.principal, input.id);
  const settings = await currentSettings(deps);
  const { agent } = await changeAgent(deps, ctx, input.id, (current, cctx) => {
    const decision = decideHeartbeat(current, input.status, settings.heartbeatTimeoutMultiple, cctx);
    return { agent: decision.agent, change: { writes: [decision.write], events: decision.events } };
  });
  if (agent.activeClaims === 0) return;
  const wctx = workContextOf(deps, ctx, settings);
  await changeEach(deps, wctx, await heldItems(deps, agent.id), (item, context) =>
    renewLease(item, agent.id, context),
  );
};
