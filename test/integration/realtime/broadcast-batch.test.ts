/**
 * One broadcaster batch against the real Connections table: changes made through the use cases,
 * their audit events read back from the log and handed over in stream order (items interleaved),
 * subscribers read from the index. Each channel's subscribers are read once for the whole
 * batch, and every connection gets each item's changes in `seq` order. The notifier records
 * what each connection would receive; its first post to a connection is slow, so later posts
 * would overtake it unless the pool keeps each connection's order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionStore } from '#adapters/dynamo/index';
import { claimWork } from '#app/use-cases/claim-work';
import { completeWork } from '#app/use-cases/complete-work';
import { createWork } from '#app/use-cases/create-work';
import { broadcastEvents } from '#app/use-cases/realtime/broadcast-batch';
import { registerAgent } from '#app/use-cases/register-agent';
import type { AuditEvent } from '#core/model';
import type { ConnectionNotifier } from '#core/realtime/ports';
import { Role } from '#core/roles';
import { unique } from '#test/support/builders';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { asAdmin, asAgent, asRegistration, type UseCaseDeps, useCaseDeps } from '../use-cases/fixture';
import { recordingSubscriberQueries } from './recording-connections';

const HOUR_MS = 3_600_000;

describe('a broadcaster batch', () => {
  let store: TestStore;
  let deps: UseCaseDeps;

  beforeAll(async () => {
    store = await createTestStore('batch');
    deps = useCaseDeps(store);
  });

  afterAll(async () => {
    await store?.cleanup();
  });

  it('reads each channel once and gives every connection each item’s changes in seq order', async () => {
    const team = `team-${unique()}`;
    const agentId = `agent-${unique()}`;
    await registerAgent(deps, asRegistration(), { id: agentId, team, capacity: 3 });
    const items = await Promise.all(
      [1, 2, 3].map((n) => createWork(deps, asAdmin(), { type: 'task', title: `item ${n}`, team })),
    );
    for (const item of items) {
      const claim = await claimWork(deps, asAgent(agentId), { id: item.id, agentId });
      await completeWork(deps, asAgent(agentId), { id: item.id, claimToken: claim.claim.token });
    }
    const perItem = await Promise.all(
      items.map(async (item) =>
        (await deps.audit.list({ entityId: item.id, limit: 50 })).items.sort((a, b) => a.seq - b.seq),
      ),
    );
    // Stream order: each item's events in order, the items interleaved.
    const events: AuditEvent[] = [];
    for (let at = 0; perItem.some((list) => at < list.length); at++) {
      for (const list of perItem) if (list[at]) events.push(list[at] as AuditEvent);
    }
    const real = createConnectionStore(store.client, store.tablePrefix);
    const now = new Date();
    const connect = (id: string, channels: string[]) =>
      real.add(
        {
          id,
          principal: { role: Role.Admin, id: 'admin' },
          connectedAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + HOUR_MS).toISOString(),
        },
        channels,
      );
    await connect('c-team', [`team:${team}`]);
    await connect('c-both', [`team:${team}`, `work:${items[0]?.id}`]);
    await connect('c-item', [`work:${items[1]?.id}`]);
    const queried: string[] = [];
    const connections = recordingSubscriberQueries(real, queried);
    const received = new Map<string, { entityId: string; seq: number }[]>();
    const started = new Set<string>();
    const notifier: ConnectionNotifier = {
      async post(id, payload) {
        // The first post to each connection is slow: a pool that let a connection's later
        // posts run beside it would deliver them first.
        const first = !started.has(id);
        started.add(id);
        if (first) await new Promise((resolve) => setTimeout(resolve, 200));
        const message = JSON.parse(payload) as { seq: number; data: { entityId: string } };
        received.set(id, [
          ...(received.get(id) ?? []),
          { entityId: message.data.entityId, seq: message.seq },
        ]);
        return 'sent';
      },
    };

    const outcome = await broadcastEvents({ ...deps, connections, notifier, postConcurrency: 8 }, events);

    expect(events.length).toBeGreaterThanOrEqual(9);
    expect(queried.length).toBe(new Set(queried).size);
    expect(queried).toEqual(
      expect.arrayContaining([`team:${team}`, 'all', ...items.map((i) => `work:${i.id}`)]),
    );
    const ordered = (id: string) => {
      const got = received.get(id) ?? [];
      return items.every((item) => {
        const seqs = got.filter((each) => each.entityId === item.id).map((each) => each.seq);
        return seqs.every((seq, n) => n === 0 || seq > (seqs[n - 1] as number));
      });
    };
    const workEvents = events.filter((event) => items.some((item) => item.id === event.entityId));
    expect(received.get('c-team')).toHaveLength(workEvents.length);
    expect(received.get('c-both')).toHaveLength(workEvents.length);
    expect(received.get('c-item')?.every((each) => each.entityId === items[1]?.id)).toBe(true);
    expect(ordered('c-team') && ordered('c-both') && ordered('c-item')).toBe(true);
    expect(outcome.gone).toBe(0);
  });
});
