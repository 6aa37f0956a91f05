import type { Ports } from '#core/ports';
import type { RequestContext } from '../context';
import { presentWork } from '../presenters';
import type { WorkPage } from '../schemas/views';
import type { ListWorkQuery } from '../schemas/work';
import { currentSettings, type SettingsDeps } from '../settings';
import { DEFAULT_PAGE_LIMIT } from './shared/context';

/**
 * `GET /v1/work`: a page of items filtered by team, status and holder.
 * 1. query the store (an index per filter, never a scan); 2. present each item.
 */
export const listWork = async (
  deps: Pick<Ports, 'work' | 'clock'> & SettingsDeps,
  _ctx: RequestContext,
  query: ListWorkQuery,
): Promise<WorkPage> => {
  const [page, settings] = await Promise.all([
    deps.work.list({ ...query, limit: query.limit ?? DEFAULT_PAGE_LIMIT }),
    currentSettings(deps),
  ]);
  const now = deps.clock.now();
  return {
    items: page.items.map((item) => presentWork(item, now, settings)),
    ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
  };
};
