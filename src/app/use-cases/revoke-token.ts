import { auditEvent } from '#core/audit';
import { NotFoundError } from '#core/errors';
import { Action } from '#core/events';
import { EntityType } from '#core/model';
import type { Ports, TokenRecord } from '#core/ports';
import type { RequestContext } from '../context';
import { changeContextOf } from './shared/context';
import { decideAndCommit } from './shared/optimistic';

/** Audit `seq` of a revocation: a token is issued (1) and revoked (2), never changed between. */
const REVOKED_SEQ = 2;

/**
 * `DELETE /v1/tokens/{id}` (admin): the token stops working at once.
 * 1. read the token (404); 2. delete it with a `token.revoked` event; a concurrent revocation
 * of the same token (its event exists already) reads again and answers 404.
 * @throws NotFoundError
 */
export const revokeToken = async (
  deps: Pick<Ports, 'clock' | 'ids' | 'tokens' | 'uow'>,
  ctx: RequestContext,
  input: { id: string },
): Promise<void> => {
  const cctx = changeContextOf(deps, ctx);
  const read = async (): Promise<TokenRecord> => {
    const token = await deps.tokens.get(input.id);
    if (!token) throw new NotFoundError(EntityType.Token, input.id);
    return token;
  };
  await decideAndCommit<TokenRecord, void>(
    deps.uow,
    await read(),
    (token) => ({
      change: {
        writes: [{ kind: 'tokenDelete', tokenId: token.id }],
        events: [
          auditEvent(cctx, {
            action: Action.TokenRevoked,
            entityType: EntityType.Token,
            entityId: token.id,
            seq: REVOKED_SEQ,
            ...(token.agentId === undefined ? {} : { agentId: token.agentId }),
            before: { role: token.role, ...(token.team ? { team: token.team } : {}) },
          }),
        ],
      },
      result: undefined,
    }),
    () => read(),
  );
};
