/** Live messages over plain HTTP: server-sent events, resumable from a cursor. */
import { defineRoute, routesById } from '#app/route';
import { EventsQuery } from '#app/schemas/live';
import { Role } from '#core/roles';

const { Admin, Viewer, Agent } = Role;

/** `GET /v1/events`. */
export const EVENT_ROUTES = [
  defineRoute({
    id: 'streamEvents',
    method: 'GET',
    path: '/v1/events',
    access: [Admin, Viewer, Agent],
    summary:
      'Server-sent events of the channels named (`channels=a,b`, the WebSocket rules): `ready`, the messages after `after` (a live message cursor, within `eventReplayHours`), new ones for a while, then `end` with the cursor to reconnect from',
    query: EventsQuery,
    grants: 'read',
    timeoutSeconds: 30,
    responses: { 200: null },
    errors: ['forbidden'],
  }),
] as const;

/** These routes by id: a handler takes its route here, so its bundle builds no other area's schemas. */
export const eventRoutes = routesById(EVENT_ROUTES);
