import { Action } from '#core/events';
import type { AuditEvent } from '#core/model';
import type { Ports } from '#core/ports';
import type { RequestContext } from '../context';
import { presentEvent } from '../presenters';
import type { AuditQuery } from '../schemas/admin';
import type { AuditPage } from '../schemas/views';
import { DEFAULT_PAGE_LIMIT } from './shared/context';

/**
 * The event as the audit log shows it: a direct message keeps its sender, addressee and mentions
 * but not its body, which only the addressed agents and admins read (their inboxes).
 */
const auditedView = (event: AuditEvent): AuditEvent => {
  if (event.action !== Action.Message || typeof event.after?.to !== 'string') return event;
  const { body: _body, ...after } = event.after;
  return { ...event, after };
};

/**
 * `GET /v1/audit`: audit events, newest first, filtered by entity, actor, agent (actor or
 * subject) and time range.
 * 1. query the log (an index per filter); 2. present each event (a direct message without its body).
 */
export const listAudit = async (
  deps: Pick<Ports, 'audit'>,
  _ctx: RequestContext,
  query: AuditQuery,
): Promise<AuditPage> => {
  const page = await deps.audit.list({ ...query, limit: query.limit ?? DEFAULT_PAGE_LIMIT });
  return {
    items: page.items.map((event) => presentEvent(auditedView(event))),
    ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
  };
};
