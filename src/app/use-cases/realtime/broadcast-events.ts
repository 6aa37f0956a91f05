import type { AuditEvent } from '#core/model';
import type { Ports } from '#core/ports';
import { channelNames, type Delivery, type ServerMessage } from '#core/realtime/messages';
import { assignmentTarget, inboxOf, observerDelivery, serialize } from '../../live-messages';
import { presentWork } from '../../presenters';
import { currentSettings, type SettingsDeps } from '../../settings';
import type { RealtimePorts } from './deps';

/** Subscribers read per index Query. */
const SUBSCRIBER_PAGE = 500;
/** Posts in flight at once for one message. */
const POST_CONCURRENCY = 64;

/** What one broadcast did. */
export interface BroadcastOutcome {
  /** Posts that reached a connection. */
  readonly sent: number;
  /** Connections found gone and forgotten. */
  readonly gone: number;
}

export type BroadcastDeps = Pick<Ports, 'work' | 'clock'> & SettingsDeps & RealtimePorts;

/** Every connection subscribed to any of `channels`, each once. */
const recipientsOf = async (deps: Pick<RealtimePorts, 'connections'>, channels: readonly string[]) => {
  const ids = new Set<string>();
  await Promise.all(
    channels.map(async (channel) => {
      let cursor: string | undefined;
      do {
        const page = await deps.connections.subscribersOf(channel, {
          limit: SUBSCRIBER_PAGE,
          ...(cursor !== undefined && { cursor }),
        });
        for (const id of page.items) ids.add(id);
        cursor = page.nextCursor;
      } while (cursor !== undefined);
    }),
  );
  return [...ids];
};

/**
 * Sends one message to every subscriber of its channels. A gone connection is forgotten and the
 * others still get it; an unavailable management API fails the whole send (the caller retries,
 * and clients drop what they saw twice by `seq`).
 * @throws UnavailableError when posting is throttled or failing.
 */
export const deliver = async (
  deps: Pick<RealtimePorts, 'connections' | 'notifier'>,
  delivery: Delivery,
): Promise<BroadcastOutcome> => {
  const recipients = await recipientsOf(deps, channelNames(delivery.channels));
  if (recipients.length === 0) return { sent: 0, gone: 0 };
  const payload = serialize(delivery.message);
  let sent = 0;
  let gone = 0;
  for (let at = 0; at < recipients.length; at += POST_CONCURRENCY) {
    await Promise.all(
      recipients.slice(at, at + POST_CONCURRENCY).map(async (id) => {
        if ((await deps.notifier.post(id, payload)) === 'sent') {
          sent += 1;
          return;
        }
        gone += 1;
        await deps.connections.remove(id);
      }),
    );
  }
  return { sent, gone };
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
 * The broadcaster: each audit event, in stream order, becomes its observer message (to the
 * channels of its type) and, for an assignment, the assigned agent's own message.
 * @throws UnavailableError when the store or the management API is unavailable (retry the event).
 */
export const broadcastEvent = async (deps: BroadcastDeps, event: AuditEvent): Promise<BroadcastOutcome> => {
  const deliveries = [observerDelivery(event), await assignmentDelivery(deps, event)].filter(
    (delivery): delivery is Delivery => delivery !== undefined,
  );
  let sent = 0;
  let gone = 0;
  for (const delivery of deliveries) {
    const outcome = await deliver(deps, delivery);
    sent += outcome.sent;
    gone += outcome.gone;
  }
  return { sent, gone };
};
