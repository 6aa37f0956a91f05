import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventDayPartitions } from '#adapters/dynamo/keys';
import { ValidationError } from '#core/errors';
import { Action } from '#core/events';
import { type AuditEvent, EntityType } from '#core/model';
import type { AuditQuery, Page } from '#core/ports';
import { ActorType } from '#core/roles';
import { anEvent } from '#test/support/builders';
import { fixedClock } from '#test/support/clock';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import { allPages } from '#test/support/paging';

let store: TestStore;

const admin = { type: ActorType.Admin, id: 'admin' };
const agentA = { type: ActorType.Agent, id: 'agent-a' };
const agentB = { type: ActorType.Agent, id: 'agent-b' };
const system = { type: ActorType.System, id: 'sweeper' };

/** Events over ten days (and one months back), on two work items and two agents, by four actors. */
const events: AuditEvent[] = [];

const at = (day: number, hour: number): string => new Date(Date.UTC(2026, 2, day, hour)).toISOString();

beforeAll(async () => {
  store = await createTestStore('audit', { clock: fixedClock('2026-03-10T18:00:00.000Z') });
  const seqs = new Map<string, number>();
  const add = (
    fields: Partial<AuditEvent> & Pick<AuditEvent, 'at' | 'actor' | 'entityId' | 'entityType'>,
  ) => {
    const seq = (seqs.get(fields.entityId) ?? 0) + 1;
    seqs.set(fields.entityId, seq);
    events.push(anEvent({ action: Action.WorkProgress, ...fields, seq }));
  };
  add({ at: '2025-12-01T08:00:00.000Z', actor: admin, entityType: EntityType.Work, entityId: 'wi_old' });
  add({
    at: at(1, 9),
    actor: admin,
    entityType: EntityType.Agent,
    entityId: 'agent-a',
    action: Action.AgentRegistered,
  });
  add({
    at: at(1, 10),
    actor: admin,
    entityType: EntityType.Agent,
    entityId: 'agent-b',
    action: Action.AgentRegistered,
  });
  add({
    at: at(2, 9),
    actor: admin,
    entityType: EntityType.Work,
    entityId: 'wi_1',
    action: Action.WorkCreated,
  });
  add({ at: at(2, 11), actor: agentA, entityType: EntityType.Work, entityId: 'wi_1', agentId: 'agent-a' });
  add({ at: at(4, 12), actor: agentA, entityType: EntityType.Work, entityId: 'wi_1', agentId: 'agent-a' });
  add({ at: at(4, 13), actor: system, entityType: EntityType.Work, entityId: 'wi_1', agentId: 'agent-a' });
  add({
    at: at(5, 9),
    actor: admin,
    entityType: EntityType.Work,
    entityId: 'wi_2',
    action: Action.WorkCreated,
  });
  add({ at: at(5, 10), actor: agentB, entityType: EntityType.Work, entityId: 'wi_2', agentId: 'agent-b' });
  add({
    at: at(6, 9),
    actor: agentA,
    entityType: EntityType.Work,
    entityId: 'wi_3',
    action: Action.WorkCreated,
  });
  add({ at: at(7, 15), actor: admin, entityType: EntityType.Work, entityId: 'wi_2', agentId: 'agent-a' });
  add({ at: at(8, 16), actor: agentA, entityType: EntityType.Work, entityId: 'wi_2', agentId: 'agent-a' });
  add({
    at: at(10, 8),
    actor: agentB,
    entityType: EntityType.Agent,
    entityId: 'agent-b',
    action: Action.AgentStatus,
  });
  add({
    at: at(10, 9),
    actor: admin,
    entityType: EntityType.Config,
    entityId: 'config',
    action: Action.ConfigUpdated,
  });
  await store.ports.uow.commit({ writes: [], events });
});

afterAll(async () => {
  await store.cleanup();
});

const newestFirst = (predicate: (event: AuditEvent) => boolean): string[] =>
  events
    .filter(predicate)
    .sort((a, b) => b.at.localeCompare(a.at))
    .map((event) => event.id);

const pagesOf = (query: Omit<AuditQuery, 'cursor'>): Promise<Page<AuditEvent>[]> =>
  allPages((q: AuditQuery) => store.ports.audit.list(q), query);

const listed = async (query: Omit<AuditQuery, 'cursor'>): Promise<string[]> =>
  (await pagesOf(query)).flatMap((page) => page.items.map((event) => event.id));

describe('audit list', () => {
  it('lists every event newest first, page by page across days, with no cursor on the last page', async () => {
    const pages = await pagesOf({ limit: 4 });

    expect(pages.flatMap((page) => page.items.map((event) => event.id))).toEqual(newestFirst(() => true));
    expect(pages.map((page) => page.items.length)).toEqual([4, 4, 4, 2]);
    expect(pages.at(-1)).not.toHaveProperty('nextCursor');
  });

  it('returns whole events as they were written', async () => {
    const page = await store.ports.audit.list({ limit: 1 });

    expect(page.items).toStrictEqual([events.at(-1)]);
  });

  it('keeps to a time window, both ends inclusive', async () => {
    const ids = await listed({ since: at(2, 11), until: at(5, 10), limit: 2 });

    expect(ids).toEqual(newestFirst((event) => event.at >= at(2, 11) && event.at <= at(5, 10)));
    expect(ids).toHaveLength(5);
  });

  it('accepts window bounds written in other ISO forms', async () => {
    const ids = await listed({
      since: '2026-03-04T12:00:00Z',
      until: '2026-03-04T15:00:00+02:00',
      limit: 10,
    });

    expect(ids).toEqual(newestFirst((event) => event.at >= at(4, 12) && event.at <= at(4, 13)));
  });

  it('returns nothing for a window that ends before it starts', async () => {
    expect(await listed({ since: at(5, 0), until: at(4, 0), limit: 10 })).toEqual([]);
  });

  it('lists one entity’s events newest first, page by page', async () => {
    const pages = await pagesOf({ entityId: 'wi_1', limit: 3 });

    expect(pages.flatMap((page) => page.items.map((event) => event.id))).toEqual(
      newestFirst((event) => event.entityId === 'wi_1'),
    );
    expect(pages.map((page) => page.items.length)).toEqual([3, 1]);
  });

  it('narrows one entity’s events by actor, agent and time', async () => {
    expect(await listed({ entityId: 'wi_1', actorId: 'agent-a', limit: 10 })).toEqual(
      newestFirst((event) => event.entityId === 'wi_1' && event.actor.id === 'agent-a'),
    );
    expect(await listed({ entityId: 'wi_2', agentId: 'agent-a', limit: 10 })).toEqual(
      newestFirst(
        (event) => event.entityId === 'wi_2' && (event.agentId === 'agent-a' || event.actor.id === 'agent-a'),
      ),
    );
    expect(await listed({ entityId: 'wi_1', since: at(4, 0), until: at(4, 12), limit: 10 })).toEqual(
      newestFirst((event) => event.entityId === 'wi_1' && event.at >= at(4, 0) && event.at <= at(4, 12)),
    );
  });

  it('lists what an actor did', async () => {
    const ids = await listed({ actorId: 'admin', limit: 2 });

    expect(ids).toEqual(newestFirst((event) => event.actor.id === 'admin'));
  });

  it('lists events an agent made or was the subject of, each once, page by page', async () => {
    const ids = await listed({ agentId: 'agent-a', limit: 2 });

    expect(ids).toEqual(
      newestFirst(
        (event) =>
          event.agentId === 'agent-a' ||
          event.actor.id === 'agent-a' ||
          (event.entityType === EntityType.Agent && event.entityId === 'agent-a'),
      ),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('combines the agent filter with an actor and a time window', async () => {
    expect(await listed({ agentId: 'agent-a', actorId: 'admin', limit: 10 })).toEqual(
      newestFirst(
        (event) =>
          event.actor.id === 'admin' &&
          (event.agentId === 'agent-a' ||
            (event.entityType === EntityType.Agent && event.entityId === 'agent-a')),
      ),
    );
    expect(await listed({ agentId: 'agent-b', since: at(5, 0), limit: 10 })).toEqual(
      newestFirst(
        (event) =>
          event.at >= at(5, 0) &&
          (event.agentId === 'agent-b' || event.actor.id === 'agent-b' || event.entityId === 'agent-b'),
      ),
    );
  });

  it('reaches events months back when nothing bounds the walk', async () => {
    const ids = await listed({ until: at(1, 0), limit: 5 });

    expect(ids).toEqual(newestFirst((event) => event.entityId === 'wi_old'));
  });

  it('reads only days that hold events, however far ahead `until` lies', async () => {
    let calls = 0;
    const counting = 'count-audit-calls';
    store.client.middlewareStack.add(
      (next) => (args) => {
        calls += 1;
        return next(args);
      },
      { step: 'initialize', name: counting },
    );
    try {
      const ids = await listed({ until: '9999-12-31T00:00:00Z', limit: 200 });

      expect(ids).toEqual(newestFirst(() => true));
    } finally {
      store.client.middlewareStack.remove(counting);
    }
    // A query per partition of each day that holds events (at most eleven days here, each read
    // in its shards and its unsharded partition), plus the day index's year items.
    expect(calls).toBeLessThanOrEqual(11 * eventDayPartitions('2026-01-01').length + 3);
  });

  it('refuses a cursor it did not make', async () => {
    await expect(store.ports.audit.list({ limit: 5, cursor: 'e30' })).rejects.toThrow(ValidationError);
  });

  it('refuses time bounds that are not timestamps', async () => {
    await expect(store.ports.audit.list({ limit: 5, until: 'soon' })).rejects.toThrow(ValidationError);
    await expect(store.ports.audit.list({ limit: 5, since: 'yesterday', entityId: 'wi_1' })).rejects.toThrow(
      ValidationError,
    );
  });
});

describe('audit after (replay from a position)', () => {
  const oldestFirst = (predicate: (event: AuditEvent) => boolean): string[] =>
    events
      .filter(predicate)
      .sort((a, b) => a.at.localeCompare(b.at))
      .map((event) => event.id);
  const positionOf = (event: AuditEvent) => ({
    at: event.at,
    entityType: event.entityType,
    entityId: event.entityId,
    seq: event.seq,
  });

  it('reads the events after a position, oldest first, across days, without the position’s own event', async () => {
    const start = events.find((event) => event.at === at(2, 11)) as AuditEvent;

    const read = await store.ports.audit.after(positionOf(start), at(10, 23), 100);

    expect(read.map((event) => event.id)).toEqual(oldestFirst((event) => event.at > at(2, 11)));
    expect(read[0]).toStrictEqual(events.find((event) => event.at === at(4, 12)));
  });

  it('stops at the limit and at until (inclusive), and a second read resumes where the first stopped', async () => {
    const start = events.find((event) => event.at === at(1, 9)) as AuditEvent;

    const first = await store.ports.audit.after(positionOf(start), at(7, 15), 3);
    const rest = await store.ports.audit.after(positionOf(first.at(-1) as AuditEvent), at(7, 15), 100);

    expect([...first, ...rest].map((event) => event.id)).toEqual(
      oldestFirst((event) => event.at > at(1, 9) && event.at <= at(7, 15)),
    );
    expect(first).toHaveLength(3);
  });

  it('returns nothing after the newest event, or when until is before the position', async () => {
    const newest = events.at(-1) as AuditEvent;

    expect(await store.ports.audit.after(positionOf(newest), at(10, 23), 10)).toEqual([]);
    expect(await store.ports.audit.after(positionOf(newest), at(2, 0), 10)).toEqual([]);
  });

  it('refuses a position whose time is not a timestamp', async () => {
    await expect(
      store.ports.audit.after(
        { at: 'yesterday', entityType: 'work', entityId: 'wi_1', seq: 1 },
        at(10, 23),
        10,
      ),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
