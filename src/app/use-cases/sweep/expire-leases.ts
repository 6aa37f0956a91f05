import { requestsAfter } from '#core/escalations/decisions';
import type { EscalationRequest } from '#core/escalations/escalation';
import type { Ports } from '#core/ports';
import { iso } from '#core/time';
import { expireClaim } from '#core/work/sweep';
import type { WorkContext } from '#core/work/write';
import { requestEscalations } from '../shared/escalations';
import { commitOne } from './commit-one';

/** What releasing expired leases did. */
export interface ExpiredLeases {
  /** Claims ended because their lease ran out. */
  readonly expired: number;
  /** Of those, items whose retry budget that spent (now `escalated`). */
  readonly escalated: number;
}

/**
 * Claims whose lease ran out end: each item, read from the leases index (at most `limit`, the
 * earliest expiries first), goes back to ready with `attempts` + 1, or to escalated once the
 * budget is spent, in a change conditional on its version with the same claim token still in
 * place (a renewal or a new claim since it was read wins). Escalated items are then asked a
 * `retries_exhausted` escalation.
 */
export const expireLeases = async (
  deps: Pick<Ports, 'work' | 'agents' | 'uow' | 'escalationPublisher'>,
  wctx: WorkContext,
  limit: number,
): Promise<ExpiredLeases> => {
  let expired = 0;
  const requests: EscalationRequest[] = [];
  for (const item of await deps.work.expiredLeases(iso(wctx.now), limit)) {
    const token = item.claim?.token;
    if (token === undefined) continue;
    const expiry = await commitOne(deps, item, (current) => expireClaim(current, token, wctx));
    if (!expiry) continue;
    expired += 1;
    if (expiry.escalated) requests.push(...requestsAfter(expiry.item, 'lease_expired', wctx));
  }
  await requestEscalations(deps, requests);
  return { expired, escalated: requests.length };
};
