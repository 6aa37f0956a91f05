import { leaseExpiry } from '#core/claims/holder';
import type { WorkItem } from '#core/model';
import type { Ports } from '#core/ports';
import { inFlightFlags } from '#core/work/paths-flags';
import { isHeld, OPEN_STATUSES } from '#core/work/status';
import type { RequestContext } from '../context';
import { presentFlags, presentWork } from '../presenters';
import type { WorkView } from '../schemas/views';
import type { GetWorkQuery } from '../schemas/work';
import { currentSettings, type SettingsDeps } from '../settings';
import { inFlightItems } from './shared/held-items';
import { requireWork } from './shared/lookups';

/**
 * `GET /v1/work/{id}`: the item as readers see it (urgency now, never a claim token).
 * 1. read the item (404 when missing); a held item's holder is read too, since its lease follows
 * the holder's heartbeats (`leaseExpiry`); 2. present it under the current settings; 3. with
 * `flags=1` and the item still open, read its team's items in flight and add what it has against
 * them (overlapping paths, near-duplicate titles).
 * @throws NotFoundError when there is no such item.
 */
export const getWork = async (
  deps: Pick<Ports, 'work' | 'agents' | 'clock'> & SettingsDeps,
  _ctx: RequestContext,
  input: { id: string } & GetWorkQuery,
): Promise<WorkView> => {
  const [item, settings] = await Promise.all([requireWork(deps, input.id), currentSettings(deps)]);
  const view = presentWork(
    await withFollowedLease(deps, item, settings.leaseSeconds),
    deps.clock.now(),
    settings,
  );
  const wantsFlags = input.flags === '1' || input.flags === 'true';
  if (!wantsFlags || !OPEN_STATUSES.includes(item.status)) return view;
  const holder = item.claim && isHeld(item.status) ? item.claim.agentId : undefined;
  const flags = inFlightFlags(item, await inFlightItems(deps, item.team), holder);
  return { ...view, flags: presentFlags(flags) };
};

/** The item with the lease its holder's heartbeats give it (one read of the holder). */
const withFollowedLease = async (
  deps: Pick<Ports, 'agents'>,
  item: WorkItem,
  leaseSeconds: number,
): Promise<WorkItem> => {
  if (!item.claim || !isHeld(item.status)) return item;
  const holder = await deps.agents.get(item.claim.agentId);
  const leaseExpiresAt = leaseExpiry(item.claim, holder?.lastHeartbeatAt, leaseSeconds);
  return { ...item, claim: { ...item.claim, leaseExpiresAt } };
};
