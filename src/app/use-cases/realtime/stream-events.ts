import type { Ports } from '#core/ports';
import { channelName, implicitChannels } from '#core/realtime/channels';
import type { ServerMessage } from '#core/realtime/messages';
import type { RequestContext } from '../../context';
import { cursorOf } from '../../event-cursor';
import type { EventsQuery } from '../../schemas/live';
import { MAX_REPLAY_EVENTS, type ReplayDeps, replayPage, replayStart, streamChannels } from './replay-events';

/** Events one stream sends at most; past it the stream ends and the client resumes from its cursor. */
export const MAX_STREAM_EVENTS = 5 * MAX_REPLAY_EVENTS;

/** How often a stream looks for new events once it has caught up. */
export const STREAM_POLL_MS = 1_000;

export type StreamDeps = ReplayDeps & Pick<Ports, 'work' | 'agents'>;

/** Where a stream's events go, and how it waits. */
export interface StreamOutput {
  /** Sends one server-sent event (`id` is the cursor a client resumes from). */
  readonly send: (event: string, data: unknown, id?: string) => void;
  readonly wait: (milliseconds: number) => Promise<void>;
  /** How long to follow the log for new events once the replay has caught up. */
  readonly followMs: number;
}

/**
 * `GET /v1/events`: the live messages of the channels asked for, as server-sent events.
 * 1. check the channels as `subscribe` does (400 for a name that is no channel, 403 for one the
 *    caller may not join; `inbox:<id>` only for that agent and admins) and the cursor (400),
 *    before anything is sent; an agent's stream carries its own inbox besides, unasked;
 * 2. `ready` `{channels, cursor, windowStart?}`: where the stream starts (the cursor, moved up to
 *    the replay window when older; without one, now);
 * 3. each message that followed, oldest first (`id` = its cursor, `event` = its type, `data` = the
 *    message as the WebSocket sends it), a page at a time, then the new ones as they are written,
 *    for `followMs`;
 * 4. `end` `{cursor, more}`: the client reconnects with that cursor (`more`: the stream stopped at
 *    its bound, not at the end of the log).
 */
export const streamEvents = async (
  deps: StreamDeps,
  ctx: RequestContext,
  query: EventsQuery,
  output: StreamOutput,
): Promise<void> => {
  const channels = await streamChannels(deps, ctx.principal, query.channels);
  // An agent's own inbox comes without asking, as on its WebSocket connections.
  const followed = [...new Set([...channels, ...implicitChannels(ctx.principal).map(channelName)])];
  const start = await replayStart(deps, query.after);
  let position = start.position;
  output.send(
    'ready',
    { channels, cursor: cursorOf(position), ...(start.windowStart && { windowStart: start.windowStart }) },
    cursorOf(position),
  );
  const deadline = deps.clock.now().getTime() + output.followMs;
  let sent = 0;
  let more = false;
  for (;;) {
    const page = await replayPage(deps, { channels: followed, position });
    for (const message of page.messages) send(output, message);
    sent += page.messages.length;
    position = page.position;
    more = page.more;
    if (more && sent < MAX_STREAM_EVENTS) continue;
    if (more || deps.clock.now().getTime() >= deadline) break;
    await output.wait(pauseBefore(page.settlesAt, deps.clock.now().getTime()));
  }
  output.send('end', { cursor: cursorOf(position), more }, cursorOf(position));
};

/**
 * How long to wait before the next read: {@link STREAM_POLL_MS}, or less when an event already
 * written settles sooner (so a message goes out about a second after it was written, not two).
 */
const pauseBefore = (settlesAt: string | undefined, now: number): number =>
  settlesAt === undefined
    ? STREAM_POLL_MS
    : Math.min(STREAM_POLL_MS, Math.max(MIN_PAUSE_MS, Date.parse(settlesAt) - now));

/** The shortest pause between reads, however soon an event settles. */
const MIN_PAUSE_MS = 50;

const send = (output: StreamOutput, message: ServerMessage): void => {
  output.send(message.type, message, message.cursor);
};
