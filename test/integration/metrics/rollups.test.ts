/**
 * Metrics rollups on DynamoDB Local: the stream consumer's use case grows per-minute and per-hour
 * rows from audit events, the claim routes' recorder adds latency and conflicts, and the summary
 * reads them back with the queue depth now. The clock is set to the real time, because DynamoDB
 * Local removes rows whose TTL has passed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionStore, createMetricsStore } from '#adapters/dynamo/index';
import { createWork } from '#app/use-cases/create-work';
import { ClaimMetrics } from '#app/use-cases/metrics/claim-metrics';
import { metricsSummary } from '#app/use-cases/metrics/metrics-summary';
import { type RollupMemory, rollupEvents } from '#app/use-cases/metrics/rollup-events';
import { subscriberCache } from '#app/use-cases/realtime/subscriber-cache';
import { Action } from '#core/events';
import type { MetricsStore } from '#core/metrics/ports';
import { bucketStart } from '#core/metrics/rollup';
import type { ConnectionNotifier } from '#core/realtime/ports';
import { ActorType, Role } from '#core/roles';
import { anEvent, unique } from '#test/support/builders';
import { fixedClock } from '#test/support/clock';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { asAdmin, type UseCaseDeps, useCaseDeps } from '../use-cases/fixture';

const realMinute = () => new Date(Math.floor(Date.now() / 60_000) * 60_000);

describe('metrics rollups', () => {
  let store: TestStore;
  const minuteStart = () => bucketStart(store.clock.now(), 'minute');
  let deps: UseCaseDeps & { metrics: MetricsStore };

  beforeAll(async () => {
    // The middle of the current minute, so the events below share one minute bucket.
    store = await createTestStore('metrics', {
      clock: fixedClock(new Date(realMinute().getTime() + 30_000).toISOString()),
    });
    deps = { ...useCaseDeps(store), metrics: createMetricsStore(store.client, store.tablePrefix) };
  });

  afterAll(async () => {
    await store?.cleanup();
  });

  it('counts claims, completions, failures, lease expiries and escalations per minute and hour', async () => {
    const at = store.clock.iso();
    const system = { type: ActorType.System, id: 'system' };
    const events = [
      anEvent({ action: Action.WorkClaimed, at }),
      anEvent({ action: Action.WorkClaimed, at }),
      anEvent({ action: Action.WorkCompleted, at }),
      anEvent({ action: Action.WorkFailed, at }),
      anEvent({ action: Action.WorkReleased, at, actor: system }),
      anEvent({ action: Action.Escalation, at }),
      anEvent({ action: Action.WorkCreated, at }),
    ];

    await rollupEvents(deps, events);
    await rollupEvents(deps, [anEvent({ action: Action.WorkClaimed, at })]);

    const [minute] = await deps.metrics.get('minute', [minuteStart().toISOString()]);
    expect(minute?.counters).toEqual({
      claims: 3,
      completions: 1,
      failures: 1,
      conflicts: 0,
      leaseExpiries: 1,
      escalations: 1,
    });
    const hour = bucketStart(store.clock.now(), 'hour').toISOString();
    expect((await deps.metrics.get('hour', [hour]))[0]?.counters.claims).toBeGreaterThanOrEqual(3);
  });

  it('answers a summary with claim latency percentiles, conflicts, a series and the queue depth now', async () => {
    const team = `team-${unique()}`;
    await createWork(deps, asAdmin(), { type: 'task', title: 'one', team });
    await createWork(deps, asAdmin(), { type: 'task', title: 'two', team });
    const recorder = new ClaimMetrics(deps);
    for (let i = 0; i < 9; i++) recorder.record(store.clock.now(), 20, false);
    recorder.record(store.clock.now(), 400, true);
    await recorder.flush(store.clock.now(), true);

    const summary = await metricsSummary(deps, { window: '15m' });

    expect(summary.window).toBe('15m');
    expect(summary.series).toHaveLength(15);
    expect(summary.series.at(-1)).toMatchObject({ at: minuteStart().toISOString(), conflicts: 1 });
    expect(summary.conflicts).toBe(1);
    expect(summary.latencyMs.p50).toBeGreaterThan(10);
    expect(summary.latencyMs.p50).toBeLessThanOrEqual(25);
    expect(summary.latencyMs.p99).toBeGreaterThan(250);
    expect(summary.queueDepthByTeam[team]).toMatchObject({ ready: 2, claimed: 0 });
    expect(summary.queueDepth.ready).toBeGreaterThanOrEqual(2);
  });

  it('answers a seven-day summary by the hour, with no samples as null', async () => {
    const summary = await metricsSummary(
      { ...deps, metrics: createMetricsStore(store.client, `${store.tablePrefix}`) },
      {
        window: '7d',
      },
    );

    expect(summary.series).toHaveLength(168);
    expect(summary.series[0]).toMatchObject({ claims: 0, p50: null });
  });

  it('lets one live metrics message out per five seconds', async () => {
    const now = new Date();

    const first = await deps.metrics.claimPush(now, 5000);
    const tooSoon = await deps.metrics.claimPush(new Date(now.getTime() + 4000), 5000);
    const later = await deps.metrics.claimPush(new Date(now.getTime() + 5000), 5000);

    expect([first, tooSoon, later]).toEqual([true, false, true]);
  });

  it('takes the queue depth snapshot of a minute once', async () => {
    // Another minute than the one the consumer above already took its snapshot in.
    const at = new Date(minuteStart().getTime() - 10 * 60_000).toISOString();
    expect(await deps.metrics.hasDepth(at)).toBe(false);

    await deps.metrics.setDepth(at, { core: { ready: 1 } });
    await deps.metrics.setDepth(at, { core: { ready: 99 } });

    expect(await deps.metrics.hasDepth(at)).toBe(true);
    expect((await deps.metrics.get('minute', [at]))[0]?.depth).toEqual({ core: { ready: 1 } });
  });

  /** The rollups' store, counting the depth checks and push claims it answers. */
  const countingMetrics = () => {
    const calls = { hasDepth: [] as string[], claimPush: 0 };
    const metrics: MetricsStore = {
      add: (granularity, at, increment) => deps.metrics.add(granularity, at, increment),
      get: (granularity, starts) => deps.metrics.get(granularity, starts),
      setDepth: (at, depth) => deps.metrics.setDepth(at, depth),
      hasDepth: (at) => {
        calls.hasDepth.push(at);
        return deps.metrics.hasDepth(at);
      },
      claimPush: (now, intervalMs) => {
        calls.claimPush += 1;
        return deps.metrics.claimPush(now, intervalMs);
      },
    };
    return { metrics, calls };
  };

  it('checks a minute’s queue depth snapshot once per process, and again in the next minute', async () => {
    store.clock.set(new Date(realMinute().getTime() + 3 * 60_000 + 1000).toISOString());
    const { metrics, calls } = countingMetrics();
    const memory: RollupMemory = {};
    const claim = () => anEvent({ action: Action.WorkClaimed, at: store.clock.iso() });

    await rollupEvents({ ...deps, metrics, memory }, [claim()]);
    await rollupEvents({ ...deps, metrics, memory }, [claim()]);
    store.clock.advance(60);
    await rollupEvents({ ...deps, metrics, memory }, [claim()]);

    const minutes = [3, 4].map((m) => new Date(realMinute().getTime() + m * 60_000).toISOString());
    expect(calls.hasDepth).toEqual(minutes);
    expect(await Promise.all(minutes.map((at) => deps.metrics.hasDepth(at)))).toEqual([true, true]);
  });

  it('builds no live summary while nobody subscribes to all, and sends one once someone does, then waits out the interval', async () => {
    store.clock.set(new Date(Date.now() + 10_000).toISOString());
    const connections = createConnectionStore(store.client, store.tablePrefix);
    const subscribers = subscriberCache({ connections, clock: store.clock }, { settleMs: 0 });
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const principal = { role: Role.Viewer, id: 'tok_v' };
    const [teamOnly, watcher] = [`c-${unique()}`, `c-${unique()}`];
    await connections.add({ id: teamOnly, principal, connectedAt: store.clock.iso(), expiresAt }, [
      `team:${unique()}`,
    ]);
    const posted: string[] = [];
    const notifier: ConnectionNotifier = {
      post: async (id) => {
        posted.push(id);
        return 'sent';
      },
    };
    const { metrics, calls } = countingMetrics();
    const live = { ...deps, metrics, connections, notifier, subscribers, memory: {} };
    const claim = () => anEvent({ action: Action.WorkClaimed, at: store.clock.iso() });

    await rollupEvents(live, [claim()]);
    const whileNobodyWatched = { posted: [...posted], claims: calls.claimPush };
    await connections.add({ id: watcher, principal, connectedAt: store.clock.iso(), expiresAt }, ['all']);
    await rollupEvents(live, [claim()]);
    store.clock.advance(1);
    // Within the interval of its own push, the process does not ask the store again.
    await rollupEvents(live, [claim()]);
    await connections.remove(watcher);

    expect(whileNobodyWatched).toEqual({ posted: [], claims: 0 });
    expect(posted).toEqual([watcher]);
    expect(calls.claimPush).toBe(1);
  });

  it('sends the 15-minute summary to subscribers of all as a live metrics message, at most once per five seconds', async () => {
    // Later than every push claimed above (the claim test pushed at the real time plus 5 s).
    store.clock.set(new Date(Date.now() + 20_000).toISOString());
    const connections = createConnectionStore(store.client, store.tablePrefix);
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const watcher = `c-${unique()}`;
    const teamOnly = `c-${unique()}`;
    for (const [id, channels] of [
      [watcher, ['all']],
      [teamOnly, [`team:${unique()}`]],
    ] as const) {
      await connections.add(
        { id, principal: { role: Role.Viewer, id: 'tok_v' }, connectedAt: store.clock.iso(), expiresAt },
        [...channels],
      );
    }
    const posted: [string, Record<string, unknown>][] = [];
    const notifier: ConnectionNotifier = {
      post: async (id, payload) => {
        posted.push([id, JSON.parse(payload)]);
        return 'sent';
      },
    };
    const live = { ...deps, connections, notifier };
    const claim = () => anEvent({ action: Action.WorkClaimed, at: store.clock.iso() });

    await rollupEvents(live, [claim()]);
    await rollupEvents(live, [claim()]);
    store.clock.advance(5);
    await rollupEvents(live, [claim()]);

    expect(posted.map(([id]) => id)).toEqual([watcher, watcher]);
    const [, message] = posted[0] as [string, Record<string, unknown>];
    expect(message).toMatchObject({
      type: 'metrics',
      seq: Date.parse(String(message.at)),
      data: { window: '15m', throughput: expect.objectContaining({ claims: expect.any(Number) }) },
    });
    expect(Date.parse(String(posted[1]?.[1].at)) - Date.parse(String(message.at))).toBe(5000);
  });
});
