import { agentIdOf, assertActsAs } from '#core/authz';
import { assertMayReadThread } from '#core/messages';
import type { Ports } from '#core/ports';
import type { RequestContext } from '../../context';
import type {
  InboxPage,
  InboxQuery,
  MarkReadBody,
  MessagePage,
  ReadMarkView,
  ThreadQuery,
} from '../../schemas/messages-thread';
import { DEFAULT_PAGE_LIMIT } from '../shared/context';
import { requireAgent, requireWork } from '../shared/lookups';
import { presentMessage } from './present-message';

/**
 * `GET /v1/work/{id}/messages`: the item's thread, oldest first.
 * 1. read the item (404); 2. an agent reads only threads of its team (403); 3. one page.
 * @throws NotFoundError when there is no such item.
 * @throws ForbiddenError when an agent asks for a thread of another team.
 */
export const listWorkMessages = async (
  deps: Pick<Ports, 'work' | 'agents' | 'messages'>,
  ctx: RequestContext,
  input: ThreadQuery & { readonly id: string },
): Promise<MessagePage> => {
  const item = await requireWork(deps, input.id);
  const agentId = agentIdOf(ctx.principal);
  if (agentId !== undefined) {
    const agentTeam = (await deps.agents.get(agentId))?.team;
    assertMayReadThread(ctx.principal, { team: item.team, ...(agentTeam !== undefined && { agentTeam }) });
  }
  const page = await deps.messages.thread(item.id, {
    limit: input.limit ?? DEFAULT_PAGE_LIMIT,
    ...(input.cursor !== undefined && { cursor: input.cursor }),
  });
  return {
    items: page.items.map(presentMessage),
    ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }),
  };
};

/**
 * `GET /v1/agents/{id}/messages`: the agent's inbox, oldest first, with its read marker.
 * 1. only the agent itself or an admin (403); 2. the agent exists (404); 3. with `unread=1`, only
 * the messages after the marker.
 * @throws ForbiddenError when an agent asks for another agent's inbox.
 * @throws NotFoundError when there is no such agent.
 */
export const listAgentMessages = async (
  deps: Pick<Ports, 'agents' | 'messages'>,
  ctx: RequestContext,
  input: InboxQuery & { readonly id: string },
): Promise<InboxPage> => {
  assertActsAs(ctx.principal, input.id);
  await requireAgent(deps, input.id);
  const readUpTo = await deps.messages.readMarker(input.id);
  const unread = input.unread === '1' || input.unread === 'true';
  const page = await deps.messages.inbox(input.id, {
    limit: input.limit ?? DEFAULT_PAGE_LIMIT,
    ...(input.cursor !== undefined && { cursor: input.cursor }),
    ...(unread && readUpTo !== undefined && { after: readUpTo }),
  });
  return {
    items: page.items.map(presentMessage),
    ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }),
    ...(readUpTo !== undefined && { readUpTo }),
  };
};

/**
 * `POST /v1/agents/{id}/messages/read`: moves the agent's read marker up to `upTo` (a message
 * id); one conditional write, and a marker already further stays where it is.
 * @throws ForbiddenError when an agent marks another agent's inbox.
 * @throws NotFoundError when there is no such agent.
 */
export const markMessagesRead = async (
  deps: Pick<Ports, 'agents' | 'messages'>,
  ctx: RequestContext,
  input: MarkReadBody & { readonly id: string },
): Promise<ReadMarkView> => {
  assertActsAs(ctx.principal, input.id);
  await requireAgent(deps, input.id);
  return { agentId: input.id, readUpTo: await deps.messages.markRead(input.id, input.upTo) };
};
