import { isRetired } from '#core/agents/liveness';
import type { Agent } from '#core/model';
import type { Change, Ports, TokenRecord } from '#core/ports';

/** A freshly drawn bearer token: its public id, the `<tokenId>.<secret>` string shown once, and the record to store. */
export interface DrawnToken {
  readonly id: string;
  readonly bearer: string;
  readonly record: TokenRecord;
}

/** Draw a new bearer token; only the hash of its secret is ever stored. */
export const drawToken = (
  deps: Pick<Ports, 'ids' | 'hasher'>,
  fields: Omit<TokenRecord, 'id' | 'secretHash'>,
): DrawnToken => {
  const id = deps.ids.tokenId();
  const secret = deps.ids.secret();
  return { id, bearer: `${id}.${secret}`, record: { ...fields, id, secretHash: deps.hasher.hash(secret) } };
};

/**
 * A retired agent's token stops working (API.md: retiring an agent revokes its tokens once it is
 * `retired`); an admin may issue it a new one.
 */
export const revokeTokenOnceRetired = async (deps: Pick<Ports, 'uow'>, agent: Agent): Promise<void> => {
  if (agent.tokenId === undefined || !isRetired(agent)) return;
  await deps.uow.commit({ writes: [{ kind: 'tokenDelete', tokenId: agent.tokenId }], events: [] });
};

/**
 * After a committed change that freed claims (complete, fail, release, cancel, reassign, a lease
 * expiry): each holder it freed is read again, and one whose `drain` retirement has just ended
 * (no claims left) loses its token. One agent read per freed holder.
 */
export const revokeTokensOfDrained = async (
  deps: Pick<Ports, 'agents' | 'uow'>,
  change: Change | undefined,
): Promise<void> => {
  const freed = new Set(
    (change?.writes ?? []).flatMap((write) =>
      write.kind === 'agentClaims' && write.delta < 0 ? [write.agentId] : [],
    ),
  );
  for (const agentId of freed) {
    const agent = await deps.agents.get(agentId);
    if (agent) await revokeTokenOnceRetired(deps, agent);
  }
};
