import { describe, expect, it } from 'vitest';
import { DETACHED_HISTORY_SEQ, importHistory, isSameHistory } from '#core/import/history';
import type { ImportDecision } from '#core/import/outcome';
import type { HistoryRecord } from '#core/import/records';
import type { AuditEvent } from '#core/model';
import type { Change } from '#core/ports';
import { anAgent, aWorkItem, changeContext } from '../builders';

const record = (overrides: Partial<HistoryRecord> = {}): HistoryRecord => ({
  at: '2026-02-21T12:38:03Z',
  actorId: 'agent_1795250283357469454',
  action: 'work.completed',
  entityType: 'work',
  entityId: 'wi-1',
  details: { result: 'success', velocityPoints: 5 },
  ...overrides,
});

const changeOf = (decision: ImportDecision): Change => {
  if (decision.outcome !== 'created') throw new Error(`expected created, got ${decision.outcome}`);
  return decision.change;
};

const imported = (input: HistoryRecord, seq: number): AuditEvent => {
  const [event] = changeOf(importHistory(input, { events: [] }, changeContext())).events;
  if (!event) throw new Error('no event');
  return { ...event, seq };
};

describe('importHistory', () => {
  it('keeps the original time and action, with an import actor named after the source actor', () => {
    const [event] = changeOf(importHistory(record(), { events: [] }, changeContext())).events;

    expect(event).toMatchObject({
      at: '2026-02-21T12:38:03.000Z',
      action: 'work.completed',
      entityType: 'work',
      entityId: 'wi-1',
      actor: { type: 'import', id: 'agent_1795250283357469454' },
      agentId: 'agent_1795250283357469454',
      after: { result: 'success', velocityPoints: 5 },
      requestId: 'req-1',
    });
  });

  it('names the actor import when the source names nobody', () => {
    const { actorId: _none, ...anonymous } = record();

    const [event] = changeOf(importHistory(anonymous, { events: [] }, changeContext())).events;

    expect(event?.actor).toEqual({ type: 'import', id: 'import' });
    expect(event).not.toHaveProperty('agentId');
  });

  it('writes an existing entity one version on, unchanged otherwise, and takes that version as seq', () => {
    const item = aWorkItem({ id: 'wi-1', version: 3, progress: 40 });

    const change = changeOf(
      importHistory(record(), { entity: { kind: 'work', record: item }, events: [] }, changeContext()),
    );

    expect(change.writes).toEqual([{ kind: 'work', item: { ...item, version: 4 }, expectedVersion: 3 }]);
    expect(change.events[0]).toMatchObject({ seq: 4, team: 'core' });
  });

  it('treats history of an agent as a change of that agent', () => {
    const agent = anAgent({ id: 'agent-b', version: 2 });

    const change = changeOf(
      importHistory(
        record({ entityType: 'agent', entityId: 'agent-b', action: 'agent.registered' }),
        { entity: { kind: 'agent', record: agent }, events: [] },
        changeContext(),
      ),
    );

    expect(change.writes).toEqual([{ kind: 'agent', agent: { ...agent, version: 3 }, expectedVersion: 2 }]);
    expect(change.events[0]).toMatchObject({ seq: 3, agentId: 'agent-b' });
  });

  it('gives history of an entity that does not exist the next seq above every version', () => {
    const earlier = imported(record({ action: 'work.claimed' }), DETACHED_HISTORY_SEQ + 4);

    const first = changeOf(importHistory(record(), { events: [] }, changeContext()));
    const next = changeOf(importHistory(record(), { events: [earlier] }, changeContext()));

    expect(first.writes).toEqual([]);
    expect(first.events[0]?.seq).toBe(DETACHED_HISTORY_SEQ);
    expect(next.events[0]?.seq).toBe(DETACHED_HISTORY_SEQ + 5);
  });

  it('answers unchanged when the same event (entity, action, time, actor) was imported before', () => {
    const stored = imported(record({ details: { result: 'other' } }), 5);

    expect(
      importHistory(record({ at: '2026-02-21T12:38:03.000Z' }), { events: [stored] }, changeContext()),
    ).toEqual({
      outcome: 'unchanged',
    });
  });
});

describe('isSameHistory', () => {
  const stored = imported(record(), 2);

  it.each([
    ['another action', record({ action: 'work.failed' })],
    ['another time', record({ at: '2026-02-21T12:38:04Z' })],
    ['another actor', record({ actorId: 'someone-else' })],
    ['another entity', record({ entityId: 'wi-2' })],
  ])('tells apart %s', (_case, other) => {
    expect(isSameHistory(stored, other)).toBe(false);
  });

  it('does not take an event made through the API for imported history', () => {
    const live = { ...stored, actor: { type: 'agent' as const, id: 'agent_1795250283357469454' } };

    expect(isSameHistory(live, record())).toBe(false);
    expect(isSameHistory(stored, record())).toBe(true);
  });
});

describe('history of an agent and a work item under the same id', () => {
  const agentHistory = record({ entityType: 'agent', action: 'agent.registered' });

  it('tells apart the same action, time and actor about another entity type', () => {
    const aboutAgent = imported(record({ entityType: 'agent' }), 2);
    expect(isSameHistory(aboutAgent, record())).toBe(false);
  });

  it('numbers detached history by the events of its own entity type only', () => {
    const ofAgent = imported(agentHistory, DETACHED_HISTORY_SEQ + 7);
    const change = changeOf(importHistory(record(), { events: [ofAgent] }, changeContext()));
    expect(change.events[0]?.seq).toBe(DETACHED_HISTORY_SEQ);
  });
});
