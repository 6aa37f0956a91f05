import { agentIdOf } from '#core/authz';
import type { HolderRequest } from '#core/work/holder-actions';
import type { RequestContext } from '../../context';

/** The claim token and the acting agent of a holder route (progress, complete, fail, release). */
export const holderRequest = (ctx: RequestContext, claimToken: string): HolderRequest => ({
  token: claimToken,
  agentId: agentIdOf(ctx.principal) ?? ctx.principal.id,
});
