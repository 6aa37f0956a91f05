import type { ChangeContext } from '#core/audit';
import type { Agent } from '#core/model';
import type { Change, Ports } from '#core/ports';
import type { RequestContext } from '../../context';
import { changeContextOf } from './context';
import { requireAgent } from './lookups';
import { decideAndCommit, refreshed } from './optimistic';

/** What an agent decision yields: the next agent and the change (none: nothing to write), plus any answer of its own. */
export type AgentStep<X = undefined> = {
  readonly agent: Agent;
  readonly change?: Change;
  readonly extra?: X;
};

/**
 * Read the agent, decide, commit; on a lost race (a claim, a heartbeat) decide again from the
 * agent that won. Returns the agent as stored after the change, and the decision's `extra`.
 * @throws NotFoundError when there is no such agent; whatever domain error `decide` throws.
 */
export const changeAgent = async <X = undefined>(
  deps: Pick<Ports, 'clock' | 'ids' | 'agents' | 'uow'>,
  ctx: RequestContext,
  id: string,
  decide: (agent: Agent, cctx: ChangeContext) => AgentStep<X>,
): Promise<{ agent: Agent; now: Date; extra?: X }> => {
  const cctx = changeContextOf(deps, ctx);
  const step = await decideAndCommit<Agent, AgentStep<X>>(
    deps.uow,
    await requireAgent(deps, id),
    (current) => {
      const decided = decide(current, cctx);
      return decided.change ? { change: decided.change, result: decided } : { result: decided };
    },
    (conflict, current) =>
      refreshed(conflict, ['agent', 'agentClaims'], id, current, () => requireAgent(deps, id)),
  );
  return { agent: step.agent, now: cctx.now, ...(step.extra === undefined ? {} : { extra: step.extra }) };
};
