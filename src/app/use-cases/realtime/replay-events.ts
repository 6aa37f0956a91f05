import { ForbiddenError, ValidationError } from '#core/errors';
import type { EventPosition, Ports } from '#core/ports';
import { type Channel, channelName, type JoinFacts, mayJoin, parseChannel } from '#core/realtime/channels';
import type { ServerMessage } from '#core/realtime/messages';
import type { Principal } from '#core/roles';
import { Role } from '#core/roles';
import { cursorOf, positionAt, positionOf } from '../../event-cursor';
import { observerDelivery } from '../../live-messages';
import { currentSettings, type SettingsDeps } from '../../settings';

/** Audit events one replay reads at most; a client asks again from the cursor it got. */
export const MAX_REPLAY_EVENTS = 200;

/**
 * A replay reads only events at least this old: an event is stamped before its write commits,
 * so a younger one may still be on its way and would be skipped by a cursor already past it.
 */
export const REPLAY_SETTLE_MS = 1_000;

const HOUR_MS = 3_600_000;

export type ReplayDeps = Pick<Ports, 'audit' | 'clock'> & SettingsDeps;

/** One replayed page. */
export interface ReplayPage {
  /** The messages of the page's events that go to the channels asked for, oldest first. */
  readonly messages: ServerMessage[];
  /** Where the next replay starts: after the last event read (sent or not), else where this one started. */
  readonly position: EventPosition;
  readonly cursor: string;
  /** True when the page was full: more events may follow at once. */
  readonly more: boolean;
  /**
   * When the oldest event the page left out as too young settles (`at` + {@link REPLAY_SETTLE_MS}):
   * the next read finds it from then on. Absent when none was seen.
   */
  readonly settlesAt?: string;
  /** True when the cursor was older than the replay window: events before the window are gone. */
  readonly windowStart?: string;
}

/**
 * The start of a replay: the cursor's position, moved up to the start of the replay window
 * (`eventReplayHours`) when it is older. Without a cursor: now (live only).
 * @throws ValidationError on `/after` for a cursor this service did not make
 */
export const replayStart = async (
  deps: ReplayDeps,
  after: string | undefined,
): Promise<{ position: EventPosition; windowStart?: string }> => {
  const now = deps.clock.now();
  if (after === undefined) return { position: positionAt(now) };
  const position = positionOf(after);
  const { eventReplayHours } = await currentSettings(deps);
  const windowStart = new Date(now.getTime() - eventReplayHours * HOUR_MS);
  return position.at < windowStart.toISOString()
    ? { position: positionAt(windowStart), windowStart: windowStart.toISOString() }
    : { position };
};

/**
 * Replays one page: the audit events after `position` (settled ones only, at most `limit`),
 * mapped to live messages exactly as the broadcaster maps them, keeping those that go to one of
 * `channels` (wire names the caller may join). The read reaches up to now, so the page also says
 * when the oldest event still settling may be sent (`settlesAt`), at no extra read.
 */
export const replayPage = async (
  deps: Pick<Ports, 'audit' | 'clock'>,
  input: { readonly channels: readonly string[]; readonly position: EventPosition; readonly limit?: number },
): Promise<ReplayPage> => {
  const limit = Math.min(input.limit ?? MAX_REPLAY_EVENTS, MAX_REPLAY_EVENTS);
  const now = deps.clock.now().getTime();
  const until = new Date(now - REPLAY_SETTLE_MS).toISOString();
  const read = await deps.audit.after(input.position, new Date(now).toISOString(), limit);
  // Oldest first: the settled events are a prefix; the first younger one says when to look again.
  const settling = read.findIndex((event) => event.at > until);
  const events = settling < 0 ? read : read.slice(0, settling);
  const young = settling < 0 ? undefined : read[settling];
  const wanted = new Set(input.channels);
  const messages = events.flatMap((event) => {
    const delivery = observerDelivery(event);
    return delivery?.channels.some((channel) => wanted.has(channelName(channel))) ? [delivery.message] : [];
  });
  const last = events.at(-1);
  const position = last
    ? { at: last.at, entityType: last.entityType, entityId: last.entityId, seq: last.seq }
    : input.position;
  return {
    messages,
    position,
    cursor: cursorOf(position),
    more: events.length === limit,
    ...(young && { settlesAt: new Date(Date.parse(young.at) + REPLAY_SETTLE_MS).toISOString() }),
  };
};

/**
 * A channel a stream may name: those `subscribe` takes, and `inbox:<id>`, an agent's inbox (the
 * `message` events addressed to it or mentioning it, which its connections get without subscribing).
 */
const parseStreamChannel = (name: string): Channel | undefined => {
  if (!name.startsWith(INBOX_PREFIX)) return parseChannel(name);
  const owner = parseChannel(`agent:${name.slice(INBOX_PREFIX.length)}`);
  return owner?.kind === 'agent' ? { kind: 'inbox', agentId: owner.agentId } : undefined;
};

const INBOX_PREFIX = 'inbox:';

/**
 * Whether a stream may follow `channel`: as `subscribe` decides, and an inbox only for its own
 * agent and admins (a direct message reaches nobody else).
 */
const mayFollow = (principal: Principal, channel: Channel, facts: JoinFacts): boolean =>
  channel.kind === 'inbox'
    ? principal.role === Role.Admin ||
      (principal.role === Role.Agent && principal.agentId === channel.agentId)
    : mayJoin(principal, channel, facts);

/** Channels named in a comma-separated list: at most this many. */
export const MAX_STREAM_CHANNELS = 50;

/**
 * The channels of `GET /v1/events?channels=a,b`, checked as `subscribe` checks them.
 * @throws ValidationError on `/channels` for a name that is not a channel
 * @throws ForbiddenError naming the channels the caller may not join
 */
export const streamChannels = async (
  deps: Pick<Ports, 'work' | 'agents'>,
  principal: Principal,
  list: string,
): Promise<string[]> => {
  const names = [...new Set(list.split(',').map((name) => name.trim()))].filter((name) => name !== '');
  if (names.length === 0 || names.length > MAX_STREAM_CHANNELS) {
    throw new ValidationError([
      { path: '/channels', message: `must name 1 to ${MAX_STREAM_CHANNELS} channels, comma-separated` },
    ]);
  }
  const parsed = names.map((name) => ({ name, channel: parseStreamChannel(name) }));
  const bad = parsed.filter((entry) => entry.channel === undefined).map((entry) => entry.name);
  if (bad.length > 0) {
    throw new ValidationError([
      {
        path: '/channels',
        message: `${bad.join(', ')}: not a channel (team:<name>, agent:<id>, work:<id>, inbox:<id>, all, admin)`,
      },
    ]);
  }
  const agentTeam =
    principal.role === Role.Agent && principal.agentId !== undefined
      ? (await deps.agents.get(principal.agentId))?.team
      : undefined;
  const refused: string[] = [];
  for (const { name, channel } of parsed as { name: string; channel: Channel }[]) {
    const workTeam =
      principal.role === Role.Agent && channel.kind === 'work'
        ? (await deps.work.get(channel.workId))?.team
        : undefined;
    const facts = {
      ...(agentTeam !== undefined && { agentTeam }),
      ...(workTeam !== undefined && { workTeam }),
    };
    if (!mayFollow(principal, channel, facts)) refused.push(name);
  }
  if (refused.length > 0) {
    throw new ForbiddenError(`This token may not join ${refused.join(', ')}.`, { channels: refused });
  }
  return parsed.map(({ channel }) => channelName(channel as Channel));
};
