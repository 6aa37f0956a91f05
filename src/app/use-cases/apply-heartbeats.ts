import { coalesceHeartbeats, type Heartbeat, heartbeatTime } from '#core/agents/heartbeat';
import { recordHeartbeat } from '#core/agents/lifecycle';
import type { Ports } from '#core/ports';
import { Role } from '#core/roles';
import type { RequestContext } from '../context';
import { currentSettings, type SettingsDeps } from '../settings';
import { changeAgent } from './shared/agent-change';

/** What applying one agent's heartbeats did. */
export interface AppliedHeartbeat {
  readonly agentId: string;
  /**
   * Whether `lastHeartbeatAt` moved (false for a heartbeat older than the one recorded). Every
   * lease the agent holds follows it (`leaseExpiry`), so this one write renews them all.
   */
  readonly recorded: boolean;
}

/** The heartbeat's own request, acting as its agent, so audit events name who sent it. */
const contextOf = (heartbeat: Heartbeat): RequestContext => ({
  principal: { role: Role.Agent, id: heartbeat.agentId, agentId: heartbeat.agentId },
  requestId: heartbeat.requestId,
});

/**
 * The `heartbeats` queue consumer's use case: a batch of heartbeats, coalesced per agent, each
 * agent's applied as of its latest heartbeat's receive time.
 * 1. one heartbeat per agent (`coalesceHeartbeats`); then for each agent in turn:
 * 2. one conditional put of the agent (`lastHeartbeatAt`, reported status; an `agent.status`
 *    event only when its derived or reported status changes), decided again on a lost race and
 *    skipped when a later heartbeat or claim is already recorded;
 * 3. the agent's leases follow its `lastHeartbeatAt`, so no item it holds is written: a heartbeat
 *    is one write whatever the agent holds, and never makes the holder's own item writes lose a race.
 * Applying the same heartbeats again changes nothing, so a redelivered message is harmless.
 * @throws NotFoundError when an agent does not exist (the agents after it are not applied);
 * UnavailableError when the store does not answer.
 */
export const applyHeartbeats = async (
  deps: Pick<Ports, 'clock' | 'ids' | 'agents' | 'uow'> & SettingsDeps,
  heartbeats: readonly Heartbeat[],
): Promise<AppliedHeartbeat[]> => {
  if (heartbeats.length === 0) return [];
  const settings = await currentSettings(deps);
  const applied: AppliedHeartbeat[] = [];
  for (const heartbeat of coalesceHeartbeats(heartbeats)) {
    const ctx = contextOf(heartbeat);
    const { agent, extra: recorded } = await changeAgent(deps, ctx, heartbeat.agentId, (current, cctx) => {
      const decision = recordHeartbeat(
        current,
        { at: heartbeatTime(heartbeat, cctx.now), status: heartbeat.status },
        settings.heartbeatTimeoutMultiple,
        cctx,
      );
      return decision
        ? {
            agent: decision.agent,
            change: { writes: [decision.write], events: decision.events },
            extra: true,
          }
        : { agent: current, extra: false };
    });
    applied.push({ agentId: agent.id, recorded: recorded === true });
  }
  return applied;
};
