import { setTimeout as delay } from 'node:timers/promises';
import { streamEvents } from '#app/use-cases/realtime/stream-events';
import { httpRoute, liveEventStream } from '../shared/http';
import { eventRoutes } from '../shared/routes/events';
import { config, deps } from '../shared/wiring';

/** `GET /v1/events`: replay from the cursor, then follow the log, as server-sent events. */
export const handler = httpRoute(eventRoutes.streamEvents, async ({ ctx, query }) =>
  liveEventStream((send) =>
    streamEvents(deps(), ctx, query, {
      send,
      wait: (milliseconds) => delay(milliseconds),
      followMs: config().eventsFollowSeconds * 1000,
    }),
  ),
);
