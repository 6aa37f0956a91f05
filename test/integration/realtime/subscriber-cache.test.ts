/**
 * The broadcaster's subscriber cache against the real Connections table: batches are broadcast
 * through processes' caches (one cache per process, two processes here, as two Lambda
 * containers) while connections join, leave and go away through the store. Once a cache is
 * warm its batches read no subscriber list; a change made anywhere reaches every process's
 * next batch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionStore } from '#adapters/dynamo/index';
import { broadcastEvents } from '#app/use-cases/realtime/broadcast-batch';
import { subscriberCache } from '#app/use-cases/realtime/subscriber-cache';
import { Action } from '#core/events';
import type { ConnectionNotifier, ConnectionStore } from '#core/realtime/ports';
import { Role } from '#core/roles';
import { anEvent, unique } from '#test/support/builders';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { type UseCaseDeps, useCaseDeps } from '../use-cases/fixture';
import { recordingSubscriberQueries } from './recording-connections';

const HOUR_MS = 3_600_000;
const systemClock = { now: () => new Date() };

describe('subscriber cache on the Connections table', () => {
  let store: TestStore;
  let deps: UseCaseDeps;
  let connections: ConnectionStore;
  const queried: string[] = [];
  const received = new Map<string, number[]>();
  const gone = new Set<string>();
  const posted: string[] = [];
  const notifier: ConnectionNotifier = {
    async post(id, payload) {
      posted.push(id);
      if (gone.has(id)) return 'gone';
      received.set(id, [...(received.get(id) ?? []), (JSON.parse(payload) as { seq: number }).seq]);
      return 'sent';
    },
  };

  beforeAll(async () => {
    store = await createTestStore('subcache');
    deps = useCaseDeps(store);
    const real = createConnectionStore(store.client, store.tablePrefix);
    connections = recordingSubscriberQueries(real, queried);
  });

  afterAll(async () => {
    await store?.cleanup();
  });

  const connect = (id: string, channels: string[]) => {
    const now = new Date();
    return connections.add(
      {
        id,
        principal: { role: Role.Viewer, id: 'tok_viewer' },
        connectedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + HOUR_MS).toISOString(),
      },
      channels,
    );
  };
  /** A process: its own cache, trusting a list as soon as it was read after the last change. */
  const container = () => {
    const subscribers = subscriberCache({ connections, clock: systemClock }, { settleMs: 0 });
    return (seq: number, team: string) =>
      broadcastEvents({ ...deps, connections, notifier, subscribers }, [
        anEvent({ seq, team, action: Action.WorkClaimed, entityId: `wi_${team}` }),
      ]);
  };
  const seqsOf = (id: string) => received.get(id) ?? [];

  it('reads no subscriber list once warm, and sends to connections that joined after that', async () => {
    const team = `team-${unique()}`;
    const [first, later, joinedAtConnect] = [`c-${unique()}`, `c-${unique()}`, `c-${unique()}`];
    await connect(first, [`team:${team}`]);
    const broadcast = container();
    await broadcast(1, team);
    const queriedWhenCold = queried.length;

    await broadcast(2, team);
    const queriedWhenWarm = queried.length - queriedWhenCold;
    await connect(later, []);
    await connections.subscribe(later, [`team:${team}`]);
    await broadcast(3, team);
    await connect(joinedAtConnect, [`team:${team}`]);
    await broadcast(4, team);

    expect(queriedWhenCold).toBeGreaterThan(0);
    expect(queriedWhenWarm).toBe(0);
    expect(seqsOf(first)).toEqual([1, 2, 3, 4]);
    expect(seqsOf(later)).toEqual([3, 4]);
    expect(seqsOf(joinedAtConnect)).toEqual([4]);
  });

  it('stops sending to a connection that left, in every process', async () => {
    const team = `team-${unique()}`;
    const [stays, leaves] = [`c-${unique()}`, `c-${unique()}`];
    await connect(stays, [`team:${team}`]);
    await connect(leaves, [`team:${team}`]);
    const [one, other] = [container(), container()];
    await one(1, team);
    await other(2, team);

    await connections.unsubscribe(leaves, [`team:${team}`]);
    await one(3, team);
    await other(4, team);

    expect(seqsOf(stays)).toEqual([1, 2, 3, 4]);
    expect(seqsOf(leaves)).toEqual([1, 2]);
  });

  it('forgets a gone connection once, and another process warm with it stops sending to it too', async () => {
    const team = `team-${unique()}`;
    const [stays, goes] = [`c-${unique()}`, `c-${unique()}`];
    await connect(stays, [`team:${team}`]);
    await connect(goes, [`team:${team}`]);
    const [one, other] = [container(), container()];
    await one(1, team);
    await other(2, team);

    gone.add(goes);
    await one(3, team);
    const postsToGone = posted.filter((id) => id === goes).length;
    await one(4, team);
    await other(5, team);

    expect(seqsOf(stays)).toEqual([1, 2, 3, 4, 5]);
    expect(seqsOf(goes)).toEqual([1, 2]);
    expect(posted.filter((id) => id === goes).length).toBe(postsToGone);
    expect(await connections.get(goes)).toBeUndefined();
  });
});
