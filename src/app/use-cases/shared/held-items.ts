import type { WorkItem } from '#core/model';
import type { Ports, WorkQuery } from '#core/ports';
import { HELD_STATUSES } from '#core/work/status';
import type { WorkContext, WorkDecision } from '#core/work/write';
import { decideAndCommit, refreshed } from './optimistic';

/** Store pages of an agent's held items read at most (200 items each). */
const MAX_HELD_PAGES = 10;
const HELD_PAGE_SIZE = 200;

/** Every item of a `GET /v1/work` query, page after page (bounded). */
const listedItems = async (
  deps: Pick<Ports, 'work'>,
  query: Omit<WorkQuery, 'limit' | 'cursor'>,
): Promise<WorkItem[]> => {
  const items: WorkItem[] = [];
  let cursor: string | undefined;
  for (let read = 0; read < MAX_HELD_PAGES; read += 1) {
    const page = await deps.work.list({
      ...query,
      limit: HELD_PAGE_SIZE,
      ...(cursor === undefined ? {} : { cursor }),
    });
    items.push(...page.items);
    cursor = page.nextCursor;
    if (cursor === undefined) break;
  }
  return items;
};

/** The items the store lists as claimed by `agentId` (bounded). */
export const heldItems = (deps: Pick<Ports, 'work'>, agentId: string): Promise<WorkItem[]> =>
  listedItems(deps, { agentId });

/** The items of `team` in flight (claimed or in progress), from the status index (bounded). */
export const inFlightItems = async (deps: Pick<Ports, 'work'>, team: string): Promise<WorkItem[]> => {
  const lists = await Promise.all(HELD_STATUSES.map((status) => listedItems(deps, { team, status })));
  return lists.flat();
};

/**
 * Apply `decide` to each item, each in its own conditional change decided again on a lost race;
 * `decide` returns `undefined` when an item needs nothing (e.g. the agent no longer holds it).
 */
export const changeEach = async (
  deps: Pick<Ports, 'work' | 'uow'>,
  wctx: WorkContext,
  items: readonly WorkItem[],
  decide: (item: WorkItem, wctx: WorkContext) => WorkDecision | undefined,
): Promise<WorkItem[]> => {
  const changed: WorkItem[] = [];
  for (const item of items) {
    const next = await decideAndCommit<WorkItem | undefined, WorkItem | undefined>(
      deps.uow,
      item,
      (current) => {
        const decision = current && decide(current, wctx);
        return decision ? { change: decision.change, result: decision.item } : { result: undefined };
      },
      (conflict, current) =>
        refreshed<WorkItem | undefined>(conflict, ['work'], item.id, current, () => deps.work.get(item.id)),
    );
    if (next) changed.push(next);
  }
  return changed;
};
