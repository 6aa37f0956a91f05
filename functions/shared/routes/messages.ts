/** Messages: work item threads and agent inboxes. */
import { defineRoute, routesById } from '#app/route';
import { IdParams } from '#app/schemas/common';
import {
  InboxPage,
  InboxQuery,
  MarkReadBody,
  MessagePage,
  MessageView,
  PostMessageBody,
  ReadMarkView,
  ThreadQuery,
} from '#app/schemas/messages-thread';
import { Role } from '#core/roles';

const { Admin, Viewer, Agent, Member } = Role;

/** Every message route. */
export const MESSAGE_ROUTES = [
  defineRoute({
    id: 'postWorkMessage',
    method: 'POST',
    path: '/v1/work/{id}/messages',
    access: [Admin, Agent, Member],
    summary:
      "Post a message on a work item's thread (admins; agents and members of the item's team); it goes live to `work:<id>`, `team:<team>` and the mentioned agents",
    params: IdParams,
    body: PostMessageBody,
    grants: 'readWrite',
    responses: { 201: MessageView },
    errors: ['not_found'],
  }),
  defineRoute({
    id: 'listWorkMessages',
    method: 'GET',
    path: '/v1/work/{id}/messages',
    access: [Admin, Viewer, Agent],
    summary: "A work item's thread, oldest first (agents: items of their team only)",
    params: IdParams,
    query: ThreadQuery,
    grants: 'read',
    responses: { 200: MessagePage },
    errors: ['not_found'],
  }),
  defineRoute({
    id: 'postAgentMessage',
    method: 'POST',
    path: '/v1/agents/{id}/messages',
    access: [Admin, Agent, Member],
    summary:
      "Send a direct message to an agent's inbox (admins; agents and members of the agent's team); it goes live to that agent and the mentioned ones",
    params: IdParams,
    body: PostMessageBody,
    grants: 'readWrite',
    responses: { 201: MessageView },
    errors: ['not_found'],
  }),
  defineRoute({
    id: 'listAgentMessages',
    method: 'GET',
    path: '/v1/agents/{id}/messages',
    access: [Admin, Agent],
    summary:
      "An agent's inbox (direct messages and mentions), oldest first, with its read marker; `unread=1` lists only what follows the marker (the agent itself or an admin)",
    params: IdParams,
    query: InboxQuery,
    grants: 'read',
    responses: { 200: InboxPage },
    errors: ['not_found'],
  }),
  defineRoute({
    id: 'markMessagesRead',
    method: 'POST',
    path: '/v1/agents/{id}/messages/read',
    access: [Admin, Agent],
    summary:
      "Mark an agent's inbox read up to a message id (`upTo`, not a list cursor); the marker never moves back",
    params: IdParams,
    body: MarkReadBody,
    grants: 'readWrite',
    responses: { 200: ReadMarkView },
    errors: ['not_found'],
  }),
] as const;

/** These routes by id: a handler takes its route here, so its bundle builds no other area's schemas. */
export const messageRoutes = routesById(MESSAGE_ROUTES);
