import { requestsAfter } from '#core/escalations/decisions';
import type { EscalationRequest } from '#core/escalations/escalation';
import type { WorkItem } from '#core/model';
import { type Ports, WriteConflict } from '#core/ports';
import { iso } from '#core/time';
import { catchUpLease, expireClaim } from '#core/work/sweep';
import type { WorkContext } from '#core/work/write';
import { requestEscalations } from '../shared/escalations';
import { conflictsOn } from '../shared/optimistic';
import { commitOne } from './commit-one';

/** What releasing expired leases did. */
export interface ExpiredLeases {
  /** Claims ended because their lease ran out. */
  readonly expired: number;
  /** Of those, items whose retry budget that spent (now `escalated`). */
  readonly escalated: number;
  /** Leases written forward to where their holder's heartbeats keep them (the claim goes on). */
  readonly caughtUp: number;
}

/**
 * Reads of the leases index one pass makes at most: entries whose lease was only caught up leave
 * the range read, so a full page is followed by another, up to this many.
 */
export const MAX_LEASE_READS = 5;

/**
 * Claims whose lease ran out end. Each item whose written lease ran out, read from the leases
 * index (at most `limit` per read, the earliest expiries first), is weighed against its holder's
 * last heartbeat (leases follow it; each holder read once per pass):
 * - the holder heartbeat within the lease: the written lease catches up (no version bump, so the
 *   holder's own writes never lose a race to it), and the item leaves this index range;
 * - else it goes back to ready with `attempts` + 1, or to escalated once the budget is spent, in a
 *   change conditional on its version, the same claim token, and the holder still silent (a
 *   heartbeat meanwhile wins: the holder is read again and the item weighed again).
 * Escalated items are then asked a `retries_exhausted` escalation.
 */
export const expireLeases = async (
  deps: Pick<Ports, 'work' | 'agents' | 'uow' | 'escalationPublisher'>,
  wctx: WorkContext,
  limit: number,
): Promise<ExpiredLeases> => {
  let expired = 0;
  let caughtUp = 0;
  const requests: EscalationRequest[] = [];
  const heartbeats = new Map<string, string | undefined>();
  const readHolder = async (agentId: string) => {
    heartbeats.set(agentId, (await deps.agents.get(agentId))?.lastHeartbeatAt);
  };
  const settle = async (item: WorkItem): Promise<void> => {
    const claim = item.claim;
    if (claim === undefined) return;
    if (!heartbeats.has(claim.agentId)) await readHolder(claim.agentId);
    const beat = () => heartbeats.get(claim.agentId);
    const expiry = await commitOne(
      deps,
      item,
      (current) => expireClaim(current, claim.token, wctx, beat()),
      async (conflict) => {
        if (conflictsOn(conflict, ['agentClaims'], claim.agentId)) await readHolder(claim.agentId);
      },
    );
    if (expiry) {
      expired += 1;
      if (expiry.escalated) requests.push(...requestsAfter(expiry.item, 'lease_expired', wctx));
      return;
    }
    const catchUp = catchUpLease(item, claim.token, beat(), wctx);
    if (!catchUp) return;
    try {
      await deps.uow.commit(catchUp);
      caughtUp += 1;
    } catch (error) {
      // The claim ended or moved on since it was read: nothing left to catch up.
      if (!(error instanceof WriteConflict)) throw error;
    }
  };
  for (let read = 0; read < MAX_LEASE_READS; read += 1) {
    const settledBefore = expired + caughtUp;
    const page = await deps.work.expiredLeases(iso(wctx.now), limit);
    for (const item of page) await settle(item);
    // A full page may hide more behind it; what was settled left the range, so read on.
    if (page.length < limit || expired + caughtUp === settledBefore) break;
  }
  await requestEscalations(deps, requests);
  return { expired, escalated: requests.length, caughtUp };
};
