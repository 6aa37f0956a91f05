import { describe, expect, it } from 'vitest';
import {
  escalationApplies,
  escalationSnapshot,
  lacksRetriesEscalation,
  openEscalation,
  requestsAfter,
  resolveAll,
  resolveEscalation,
  unescalatedFailedDependencies,
} from '#core/escalations/decisions';
import type { Escalation, EscalationKind } from '#core/escalations/escalation';
import type { JsonObject } from '#core/model';
import { anEscalation, aWorkItem, changeContext, minutesFromNow, NOW } from '../builders';

const request = (kind: EscalationKind, details?: JsonObject) => ({
  workId: 'wi-1',
  kind,
  at: NOW.toISOString(),
  ...(details === undefined ? {} : { details }),
});

const escalated = aWorkItem({ status: 'escalated', attempts: 3, maxAttempts: 3, readyAt: undefined });
const admin = { type: 'admin', id: 'admin' } as const;

describe('escalations raised outside a work request', () => {
  it.each(['ai_alert', 'webhook_paused'] as const)(
    '%s never applies to an item, whatever its state',
    (kind) => {
      for (const item of [
        aWorkItem(),
        escalated,
        aWorkItem({ status: 'blocked', deadline: minutesFromNow(-1) }),
      ]) {
        expect(escalationApplies(kind, item, [], NOW)).toBe(false);
      }
      expect(openEscalation(request(kind), escalated, [], [], changeContext())).toBeUndefined();
    },
  );
});

describe('what an escalation records', () => {
  it('keeps a copy of the last failure of an item that ran out of attempts', () => {
    const failure = { reason: 'tests fail', retryable: true, at: minutesFromNow(-2), agentId: 'agent-a' };
    const item = { ...escalated, failure };
    const decision = openEscalation(request('retries_exhausted'), item, [], [], changeContext());
    expect(decision?.escalation.details).toStrictEqual({ attempts: 3, maxAttempts: 3, lastFailure: failure });
    expect(decision?.escalation.details.lastFailure).not.toBe(failure);
  });

  it('keeps no resolution in the snapshot of an open escalation, and a copy of it once resolved', () => {
    const open = anEscalation({ details: { attempts: 3 } });
    const opening = openEscalation(request('retries_exhausted'), escalated, [], [], changeContext());
    expect(opening?.change.events[0]?.after).toStrictEqual({
      workId: 'wi-1',
      kind: 'retries_exhausted',
      status: 'open',
      openedAt: NOW.toISOString(),
      details: { attempts: 3, maxAttempts: 3 },
    });
    expect(escalationSnapshot(open)).not.toHaveProperty('resolution');

    const resolution = { by: admin, note: 'restarted the runner' };
    const resolved = anEscalation({ status: 'resolved', resolvedAt: NOW.toISOString(), resolution });
    const snapshot = escalationSnapshot(resolved);
    expect(snapshot.resolution).toStrictEqual(resolution);
    expect(snapshot.resolution).not.toBe(resolution);
  });

  it('says in the resolved event what the escalation became', () => {
    const decision = resolveEscalation(anEscalation(), 'handled', changeContext());
    expect(decision?.change.events[0]?.after).toStrictEqual({
      status: 'resolved',
      resolvedAt: NOW.toISOString(),
      resolution: { by: admin, note: 'handled' },
    });
    const withoutNote = resolveEscalation(anEscalation(), undefined, changeContext());
    expect(withoutNote?.change.events[0]?.after).toStrictEqual({
      status: 'resolved',
      resolvedAt: NOW.toISOString(),
      resolution: { by: admin },
    });
  });
});

describe('openEscalation counts only escalations of its own kind', () => {
  it('opens number one while an escalation of another kind is open or numbered higher', () => {
    const other = anEscalation({ kind: 'deadline', number: 4 });
    const decision = openEscalation(request('retries_exhausted'), escalated, [other], [], changeContext());
    expect(decision?.escalation.id).toBe('wi-1~retries_exhausted~1');
    expect(decision?.escalation.number).toBe(1);
  });

  it('opens a deadline escalation for an overdue item that had escalations of other kinds', () => {
    const overdue = aWorkItem({ deadline: minutesFromNow(-1) });
    const past = anEscalation({ kind: 'dependency_failed', status: 'resolved' });
    expect(openEscalation(request('deadline'), overdue, [past], [], changeContext())?.escalation.id).toBe(
      'wi-1~deadline~1',
    );
  });
});

describe('resolveAll', () => {
  const open1 = anEscalation({ kind: 'retries_exhausted' });
  const open2 = anEscalation({ kind: 'deadline' });
  const done = anEscalation({ kind: 'dependency_failed', status: 'resolved' });

  it('resolves every open escalation and skips those resolved already', () => {
    const decisions = resolveAll([open1, done, open2], 'retried', changeContext());
    expect(decisions.map((d) => [d.escalation.id, d.escalation.status])).toEqual([
      [open1.id, 'resolved'],
      [open2.id, 'resolved'],
    ]);
    expect(decisions.every((d) => d.change.writes.length === 1)).toBe(true);
  });

  it('resolves only the kinds asked for', () => {
    const decisions = resolveAll([open1, open2, done], undefined, changeContext(), ['deadline']);
    expect(decisions.map((d) => d.escalation.id)).toEqual([open2.id]);
    expect(resolveAll([open1, open2], undefined, changeContext(), [])).toEqual([]);
  });

  it('resolves nothing among none or only resolved ones', () => {
    expect(resolveAll([], 'x', changeContext())).toEqual([]);
    expect(resolveAll([done], 'x', changeContext())).toEqual([]);
  });
});

describe('requestsAfter', () => {
  it('asks nothing for the dependents of an item that did not end in a dead end', () => {
    for (const status of ['ready', 'blocked', 'claimed', 'completed'] as const) {
      const item = aWorkItem({ status, dependents: ['x'] });
      expect(requestsAfter(item, 'released', { now: NOW, requestId: 'req-1' })).toEqual([]);
    }
  });

  it('carries the time but no request id key when the change had none', () => {
    const requests = requestsAfter(escalated, 'repair', { now: NOW });
    expect(requests).toStrictEqual([
      { workId: 'wi-1', kind: 'retries_exhausted', details: { cause: 'repair' }, at: NOW.toISOString() },
    ]);
    expect(Object.keys(requests[0] ?? {})).not.toContain('requestId');
    const cancelled = aWorkItem({ status: 'cancelled', dependents: ['x'] });
    expect(requestsAfter(cancelled, 'cancelled', { now: NOW })).toStrictEqual([
      {
        workId: 'x',
        kind: 'dependency_failed',
        details: { cause: 'cancelled', dependencyId: 'wi-1' },
        at: NOW.toISOString(),
      },
    ]);
  });
});

describe('lacksRetriesEscalation', () => {
  it('never asks for an item that is not escalated', () => {
    for (const status of ['ready', 'failed', 'claimed'] as const) {
      expect(lacksRetriesEscalation(aWorkItem({ status }), [], NOW)).toBe(false);
    }
  });

  it('ignores escalations of other kinds', () => {
    const others = [
      anEscalation({ kind: 'deadline' }),
      anEscalation({ kind: 'dependency_failed', openedAt: minutesFromNow(-1) }),
    ];
    expect(lacksRetriesEscalation(escalated, others, NOW)).toBe(true);
  });

  it('counts an escalation still open even when it was opened before the last change', () => {
    const older = anEscalation({ openedAt: minutesFromNow(-90) });
    expect(lacksRetriesEscalation(escalated, [older], NOW)).toBe(false);
  });
});

describe('unescalatedFailedDependencies', () => {
  const dependent = aWorkItem({ status: 'blocked', remainingDeps: ['d1', 'd2'] });
  const failure = { reason: 'x', retryable: false, at: minutesFromNow(-5), agentId: 'a' };
  const failed = aWorkItem({ id: 'd1', status: 'failed', failure });
  const mentioning = (dependencies: unknown[], overrides: Partial<Escalation> = {}) =>
    anEscalation({
      kind: 'dependency_failed',
      openedAt: minutesFromNow(-4),
      details: { dependencies } as JsonObject,
      ...overrides,
    });

  it('needs the escalation to name this dependency, not another one', () => {
    expect(unescalatedFailedDependencies(dependent, [failed], [mentioning([{ id: 'd2' }])], NOW)).toEqual([
      failed,
    ]);
    expect(unescalatedFailedDependencies(dependent, [failed], [mentioning([])], NOW)).toEqual([failed]);
    expect(
      unescalatedFailedDependencies(dependent, [failed], [mentioning([{ id: 'd2' }, { id: 'd1' }])], NOW),
    ).toEqual([]);
  });

  it('ignores malformed entries in the stored list', () => {
    expect(
      unescalatedFailedDependencies(dependent, [failed], [mentioning([null, 'd1', { id: 'd1' }])], NOW),
    ).toEqual([]);
    expect(unescalatedFailedDependencies(dependent, [failed], [mentioning([null, 'd1'])], NOW)).toEqual([
      failed,
    ]);
    const notAList = anEscalation({ kind: 'dependency_failed', details: { dependencies: 'd1' } });
    expect(unescalatedFailedDependencies(dependent, [failed], [notAList], NOW)).toEqual([failed]);
  });

  it('counts only dependency_failed escalations, even if another kind lists the dependency', () => {
    const deadline = mentioning([{ id: 'd1' }], { kind: 'deadline' });
    const retries = anEscalation({ openedAt: minutesFromNow(-1) });
    expect(unescalatedFailedDependencies(dependent, [failed], [deadline, retries], NOW)).toEqual([failed]);
  });

  it('counts any escalation naming a cancelled dependency, however old, even if it failed once before', () => {
    const cancelled = aWorkItem({ id: 'd2', status: 'cancelled', failure, updatedAt: minutesFromNow(-3) });
    const early = mentioning([{ id: 'd2' }], { openedAt: minutesFromNow(-30) });
    expect(unescalatedFailedDependencies(dependent, [cancelled], [early], NOW)).toEqual([]);
    expect(unescalatedFailedDependencies(dependent, [cancelled], [], NOW)).toEqual([cancelled]);
  });

  it('counts any escalation naming a failed dependency that has no failure record', () => {
    const bare = aWorkItem({ id: 'd1', status: 'failed' });
    expect(unescalatedFailedDependencies(dependent, [bare], [mentioning([{ id: 'd1' }])], NOW)).toEqual([]);
    expect(unescalatedFailedDependencies(dependent, [bare], [], NOW)).toEqual([bare]);
  });
});
