import type { ChangeContext } from '#core/audit';
import { actorOf } from '#core/authz';
import type { Ports } from '#core/ports';
import type { Settings } from '#core/settings';
import type { WorkContext } from '#core/work/write';
import type { RequestContext } from '../../context';

/** Lists answer this many items when the caller names no `limit`. */
export const DEFAULT_PAGE_LIMIT = 50;

/** The change context of a request: now, the principal as actor, its request id, event ids. */
export const changeContextOf = (deps: Pick<Ports, 'clock' | 'ids'>, ctx: RequestContext): ChangeContext => ({
  now: deps.clock.now(),
  actor: actorOf(ctx.principal),
  requestId: ctx.requestId,
  ids: deps.ids,
});

/** The work context of a request under `settings`. */
export const workContextOf = (
  deps: Pick<Ports, 'clock' | 'ids'>,
  ctx: RequestContext,
  settings: Settings,
): WorkContext => ({ ...changeContextOf(deps, ctx), settings });
