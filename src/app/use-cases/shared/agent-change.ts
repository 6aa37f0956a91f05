import type { ChangeContext } from '#core/audit';
import type { Agent } from '#core/model';
import type { Change, Ports } from '#core/ports';
import type { RequestContext } from '../../context';
import { changeContextOf } from './context';
import { requireAgent } from './lookups';
import { decideAndCommit, refreshed } from './optimistic';

/** What an agent decision yields: the next agent and the change, or nothing to write. */
export type AgentStep = { readonly agent: Agent; readonly change?: Change };

/**
 * Read the agent, decide, commit; on a lost race (a claim, a heartbeat) decide again from the
 * agent that won. Returns the agent as stored after the change.
 * @throws NotFoundError when there is no such agent; whatever domain error `decide` throws.
 */
export const changeAgent = async (
  deps: Pick<Ports, 'clock' | 'ids' | 'agents' | 'uow'>,
  ctx: RequestContext,
  id: string,
  decide: (agent: Agent, cctx: ChangeContext) => AgentStep,
): Promise<{ agent: Agent; now: Date }> => {
  const cctx = changeContextOf(deps, ctx);
  const agent = await decideAndCommit(
    deps.uow,
    await requireAgent(deps, id),
    (current) => {
      const step = decide(current, cctx);
      return step.change ? { change: step.change, result: step.agent } : { result: step.agent };
    },
    (conflict, current) =>
      refreshed(conflict, ['agent', 'agentClaims'], id, current, () => requireAgent(deps, id)),
  );
  return { agent, now: cctx.now };
};
