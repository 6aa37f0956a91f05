import type { Ports } from '#core/ports';
import type { RequestContext } from '../context';
import { presentEscalation } from '../presenters';
import type { EscalationPage, ListEscalationsQuery } from '../schemas/escalations';
import { DEFAULT_PAGE_LIMIT } from './shared/context';

/**
 * `GET /v1/escalations` (admin, viewer): open escalations first, then resolved ones, newest
 * first within each; filtered by status and team.
 * 1. query the status index (or the team index); 2. present each escalation.
 */
export const listEscalations = async (
  deps: Pick<Ports, 'escalations'>,
  _ctx: RequestContext,
  query: ListEscalationsQuery,
): Promise<EscalationPage> => {
  const page = await deps.escalations.list({ ...query, limit: query.limit ?? DEFAULT_PAGE_LIMIT });
  return {
    items: page.items.map(presentEscalation),
    ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
  };
};
