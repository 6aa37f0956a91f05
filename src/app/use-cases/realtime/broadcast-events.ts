import type { AuditEvent } from '#core/model';
import type { Ports } from '#core/ports';
import { channelNames, type Delivery, type ServerMessage } from '#core/realtime/messages';
import { assignmentTarget, inboxOf, observerDelivery, serialize } from '../../live-messages';
import { presentWork } from '../../presenters';
import { currentSettings, type SettingsDeps } from '../../settings';
import type { RealtimePorts } from './deps';
import { orderedPosts } from './ordered-posts';
import type { SubscriberCache } from './subscriber-cache';
import { type SubscriberLookup, subscriberLookup } from './subscriber-lookup';

/** Posts in flight at once when the caller does not say (`COORD_WS_POST_CONCURRENCY`). */
export const DEFAULT_POST_CONCURRENCY = 32;

/** What one broadcast did. */
export interface BroadcastOutcome {
  /** Posts that reached a connection. */
  readonly sent: number;
  /** Connections found gone and forgotten. */
  readonly gone: number;
}

/** How a round of sending reaches connections: the store, the notifier, and optional tuning. */
export type SendingDeps = Pick<RealtimePorts, 'connections' | 'notifier'> & {
  /** Posts in flight at once. @default DEFAULT_POST_CONCURRENCY */
  readonly postConcurrency?: number;
  /**
   * This process's subscriber lists, checked once per round.
   * @default none: each round reads each of its channels' subscribers from the index
   */
  readonly subscribers?: SubscriberCache;
};

export type BroadcastDeps = Pick<Ports, 'work' | 'clock'> & SettingsDeps & RealtimePorts & SendingDeps;

/**
 * One round of sending (a stream batch, or one message): subscribers are read once per channel,
 * and every post goes through one bounded queue that keeps each connection's messages in the
 * order they were sent. A gone connection is forgotten once and gets nothing more this round.
 */
export interface Sending {
  /**
   * Queues `delivery` for every subscriber of its channels, after every earlier `send`'s posts;
   * resolves once its posts are queued (not sent).
   */
  send(delivery: Delivery): Promise<void>;
  /**
   * Waits for every queued post.
   * @throws UnavailableError when posting is throttled or failing (the first such error)
   */
  finish(): Promise<BroadcastOutcome>;
}

/**
 * The subscriber lookup of a round of sending to `channels`: from the process's cache when there
 * is one (one version read for the round), else read from the index once per channel.
 * @throws UnavailableError when the store is unavailable.
 */
export const lookupForRound = async (
  deps: Pick<SendingDeps, 'connections' | 'subscribers'>,
  channels: readonly string[],
): Promise<SubscriberLookup> =>
  deps.subscribers ? deps.subscribers.lookupFor(channels) : subscriberLookup(deps.connections);

/** Starts a round of sending; see {@link Sending}. `lookup` answers its subscriber reads. */
export const startSending = (
  deps: Omit<SendingDeps, 'subscribers'>,
  lookup: SubscriberLookup = subscriberLookup(deps.connections),
): Sending => {
  const posts = orderedPosts(deps.postConcurrency ?? DEFAULT_POST_CONCURRENCY);
  const goneIds = new Set<string>();
  let sent = 0;
  const post = async (id: string, payload: string): Promise<void> => {
    if (goneIds.has(id)) return;
    if ((await deps.notifier.post(id, payload)) === 'sent') {
      sent += 1;
      return;
    }
    if (goneIds.has(id)) return;
    goneIds.add(id);
    lookup.forget(id);
    await deps.connections.remove(id);
  };
  // Lookups run side by side; their posts are queued in the order `send` was called.
  let queued: Promise<void> = Promise.resolve();
  return {
    send(delivery) {
      const recipients = lookup.recipientsOf(channelNames(delivery.channels));
      // Awaited only when the queue reaches it (never, if an earlier send failed): observe a
      // failed read now so it fails this round instead of surfacing as an unhandled rejection.
      recipients.catch(() => undefined);
      queued = queued.then(async () => {
        const ids = await recipients;
        if (ids.length === 0) return;
        const payload = serialize(delivery.message);
        for (const id of ids) posts.push(id, () => post(id, payload));
      });
      return queued;
    },
    async finish() {
      await queued;
      await posts.drain();
      return { sent, gone: goneIds.size };
    },
  };
};

/**
 * Sends one message to every subscriber of its channels. A gone connection is forgotten and the
 * others still get it; an unavailable management API fails the whole send (the caller retries,
 * and clients drop what they saw twice by `seq`).
 * @throws UnavailableError when posting is throttled or failing.
 */
export const deliver = async (deps: SendingDeps, delivery: Delivery): Promise<BroadcastOutcome> => {
  const sending = startSending(deps, await lookupForRound(deps, channelNames(delivery.channels)));
  await sending.send(delivery);
  return sending.finish();
};

/**
 * The assigned agent's `assignment`: the item and its claim with the token, read from the item
 * (the audit event never carries it). Nothing when the item is no longer held by that agent.
 */
const assignmentDelivery = async (
  deps: Pick<Ports, 'work' | 'clock'> & SettingsDeps,
  event: AuditEvent,
): Promise<Delivery | undefined> => {
  const target = assignmentTarget(event);
  if (!target) return undefined;
  const item = await deps.work.get(target.workId);
  if (!item?.claim || item.claim.agentId !== target.agentId) return undefined;
  const settings = await currentSettings(deps);
  const message: ServerMessage = {
    type: 'assignment',
    seq: event.seq,
    at: event.at,
    data: {
      item: presentWork(item, deps.clock.now(), settings),
      claim: { token: item.claim.token, leaseExpiresAt: item.claim.leaseExpiresAt },
    },
  };
  return { message, channels: inboxOf(target.agentId) };
};

/**
 * What one audit event becomes: its observer message (to the channels of its type) and, for an
 * assignment, the assigned agent's own message (which reads the item for the claim token).
 */
export const deliveriesOf = async (
  deps: Pick<Ports, 'work' | 'clock'> & SettingsDeps,
  event: AuditEvent,
): Promise<Delivery[]> =>
  [observerDelivery(event), await assignmentDelivery(deps, event)].filter(
    (delivery): delivery is Delivery => delivery !== undefined,
  );
