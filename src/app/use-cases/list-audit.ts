import type { Ports } from '#core/ports';
import type { RequestContext } from '../context';
import { presentEvent } from '../presenters';
import type { AuditQuery } from '../schemas/admin';
import type { AuditPage } from '../schemas/views';
import { DEFAULT_PAGE_LIMIT } from './shared/context';

/**
 * `GET /v1/audit`: audit events, newest first, filtered by entity, actor, agent (actor or
 * subject) and time range.
 * 1. query the log (an index per filter); 2. present each event.
 */
export const listAudit = async (
  deps: Pick<Ports, 'audit'>,
  _ctx: RequestContext,
  query: AuditQuery,
): Promise<AuditPage> => {
  const page = await deps.audit.list({ ...query, limit: query.limit ?? DEFAULT_PAGE_LIMIT });
  return {
    items: page.items.map(presentEvent),
    ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
  };
};
