import { epochMs, isBefore } from '../time';
import type { ReportedStatus } from './status';

/**
 * One heartbeat as the HTTP route accepted it and the queue carries it. `at` is when the
 * service received it: the consumer applies it as of that time, so a heartbeat that waited in
 * the queue (a slow batch, a retry) never makes an agent look fresher than it was.
 */
export interface Heartbeat {
  readonly agentId: string;
  /** ISO time the heartbeat was received. */
  readonly at: string;
  readonly status?: ReportedStatus;
  /** The `x-request-id` of the heartbeat request, recorded on any audit event it causes. */
  readonly requestId: string;
}

/** Sends heartbeats to their consumer (the `heartbeats` queue). */
export interface HeartbeatPublisher {
  /** @throws UnavailableError when the queue does not take the message. */
  publish(heartbeat: Heartbeat): Promise<void>;
}

const latestFirst = (a: Heartbeat, b: Heartbeat): number => epochMs(b.at) - epochMs(a.at);

/**
 * One heartbeat per agent standing for all of its heartbeats in a batch: the latest time, the
 * latest status any of them reported (a heartbeat without status changes nothing about it), and
 * the request id of the latest, in the order the agents first appear.
 */
export const coalesceHeartbeats = (heartbeats: readonly Heartbeat[]): Heartbeat[] => {
  const byAgent = new Map<string, Heartbeat[]>();
  for (const heartbeat of heartbeats) {
    byAgent.set(heartbeat.agentId, [...(byAgent.get(heartbeat.agentId) ?? []), heartbeat]);
  }
  return [...byAgent.values()].map((group) => {
    const ordered = [...group].sort(latestFirst);
    const [latest] = ordered as [Heartbeat, ...Heartbeat[]];
    const status = ordered.find((heartbeat) => heartbeat.status !== undefined)?.status;
    return status === undefined ? latest : { ...latest, status };
  });
};

/**
 * The time a heartbeat counts from: when it was received, but never later than `now` (a
 * receiving host whose clock runs ahead must not push liveness into the future).
 */
export const heartbeatTime = (heartbeat: Pick<Heartbeat, 'at'>, now: Date): Date =>
  isBefore(heartbeat.at, now) ? new Date(heartbeat.at) : now;
