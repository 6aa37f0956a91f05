import { describe, expect, it } from 'vitest';
import {
  escalationApplies,
  lacksRetriesEscalation,
  openEscalation,
  requestsAfter,
  resolveEscalation,
  unescalatedFailedDependencies,
} from '#core/escalations/decisions';
import { type EscalationKind, escalationId, parseEscalationId } from '#core/escalations/escalation';
import { anEscalation, aWorkItem, changeContext, minutesFromNow, NOW } from '../builders';

const request = (kind: EscalationKind) => ({
  workId: 'wi-1',
  kind,
  at: NOW.toISOString(),
  requestId: 'req-9',
});
const escalated = aWorkItem({ status: 'escalated', attempts: 3, maxAttempts: 3, readyAt: undefined });

describe('escalation ids', () => {
  it('name the work item, kind and number and read back', () => {
    const id = escalationId('wi_01:a.b-c', 'dependency_failed', 12);
    expect(id).toBe('wi_01:a.b-c~dependency_failed~12');
    expect(parseEscalationId(id)).toEqual({ workId: 'wi_01:a.b-c', kind: 'dependency_failed', number: 12 });
  });

  it.each([
    'wi-1',
    'wi-1~deadline',
    'wi-1~late~1',
    'wi-1~deadline~0',
    'wi-1~deadline~x',
    '~deadline~1',
    'a~deadline~1~2',
  ])('read %s as naming nothing', (id) => {
    expect(parseEscalationId(id)).toBeUndefined();
  });
});

describe('openEscalation', () => {
  it('opens the first escalation of a kind with its facts and an escalation event', () => {
    // Act
    const decision = openEscalation(request('retries_exhausted'), escalated, [], [], changeContext());
    // Assert
    expect(decision?.escalation).toEqual({
      id: 'wi-1~retries_exhausted~1',
      workId: 'wi-1',
      team: 'core',
      kind: 'retries_exhausted',
      number: 1,
      status: 'open',
      openedAt: NOW.toISOString(),
      details: { attempts: 3, maxAttempts: 3 },
      version: 1,
    });
    expect(decision?.change.writes).toEqual([
      { kind: 'escalation', escalation: decision?.escalation, expectedVersion: null },
    ]);
    expect(decision?.change.events).toEqual([
      expect.objectContaining({
        action: 'escalation',
        entityType: 'escalation',
        entityId: 'wi-1~retries_exhausted~1',
        seq: 1,
        team: 'core',
        requestId: 'req-1',
        after: expect.objectContaining({ workId: 'wi-1', kind: 'retries_exhausted', status: 'open' }),
      }),
    ]);
  });

  it('records nothing while one of the kind is open, and numbers the next one after it resolved', () => {
    const open = anEscalation();
    expect(
      openEscalation(request('retries_exhausted'), escalated, [open], [], changeContext()),
    ).toBeUndefined();
    const resolved = { ...open, status: 'resolved' as const };
    const next = openEscalation(request('retries_exhausted'), escalated, [resolved], [], changeContext());
    expect(next?.escalation.id).toBe('wi-1~retries_exhausted~2');
  });

  it('records nothing when the item moved on or is gone', () => {
    expect(
      openEscalation(request('retries_exhausted'), aWorkItem(), [], [], changeContext()),
    ).toBeUndefined();
    expect(openEscalation(request('retries_exhausted'), undefined, [], [], changeContext())).toBeUndefined();
  });

  it('opens a deadline escalation once per item, for ready and blocked items past their deadline', () => {
    const overdue = aWorkItem({ deadline: minutesFromNow(-1) });
    const first = openEscalation(request('deadline'), overdue, [], [], changeContext());
    expect(first?.escalation.details).toEqual({ deadline: overdue.deadline, status: 'ready' });
    const past = anEscalation({ kind: 'deadline', status: 'resolved' });
    expect(openEscalation(request('deadline'), overdue, [past], [], changeContext())).toBeUndefined();
    const claimed = { ...overdue, status: 'claimed' as const };
    expect(openEscalation(request('deadline'), claimed, [], [], changeContext())).toBeUndefined();
    const early = aWorkItem({ deadline: minutesFromNow(1) });
    expect(openEscalation(request('deadline'), early, [], [], changeContext())).toBeUndefined();
  });

  it('opens dependency_failed for a blocked item waiting on a failed or cancelled dependency', () => {
    const dependent = aWorkItem({
      status: 'blocked',
      remainingDeps: ['d1', 'd2', 'd3'],
      dependsOn: ['d1', 'd2', 'd3'],
    });
    const dependencies = [
      aWorkItem({ id: 'd1', status: 'failed' }),
      aWorkItem({ id: 'd2', status: 'cancelled' }),
      aWorkItem({ id: 'd3', status: 'ready' }),
    ];
    const decision = openEscalation(
      { ...request('dependency_failed'), details: { dependencyId: 'd1' } },
      dependent,
      [],
      dependencies,
      changeContext(),
    );
    expect(decision?.escalation.details).toEqual({
      dependencyId: 'd1',
      dependencies: [
        { id: 'd1', status: 'failed' },
        { id: 'd2', status: 'cancelled' },
      ],
    });
    expect(
      openEscalation(
        request('dependency_failed'),
        dependent,
        [],
        [dependencies[2] ?? dependent],
        changeContext(),
      ),
    ).toBeUndefined();
  });
});

describe('resolveEscalation', () => {
  it('resolves an open escalation by the actor, with the note and an escalation.resolved event', () => {
    const decision = resolveEscalation(anEscalation(), 'handled', changeContext());
    expect(decision?.escalation).toMatchObject({
      status: 'resolved',
      resolvedAt: NOW.toISOString(),
      resolution: { by: { type: 'admin', id: 'admin' }, note: 'handled' },
      version: 2,
    });
    expect(decision?.change.writes).toEqual([
      { kind: 'escalation', escalation: decision?.escalation, expectedVersion: 1 },
    ]);
    expect(decision?.change.events).toEqual([
      expect.objectContaining({ action: 'escalation.resolved', seq: 2, before: { status: 'open' } }),
    ]);
  });

  it('changes nothing for one resolved already', () => {
    expect(
      resolveEscalation(anEscalation({ status: 'resolved' }), undefined, changeContext()),
    ).toBeUndefined();
  });
});

describe('escalationApplies', () => {
  it('says which escalations still describe their item', () => {
    expect(escalationApplies('retries_exhausted', escalated, [], NOW)).toBe(true);
    expect(escalationApplies('retries_exhausted', aWorkItem(), [], NOW)).toBe(false);
    expect(escalationApplies('deadline', aWorkItem({ deadline: minutesFromNow(-1) }), [], NOW)).toBe(true);
    expect(
      escalationApplies(
        'deadline',
        aWorkItem({ status: 'completed', deadline: minutesFromNow(-1) }),
        [],
        NOW,
      ),
    ).toBe(false);
    const dependent = aWorkItem({ status: 'blocked', remainingDeps: ['d1'] });
    expect(
      escalationApplies('dependency_failed', dependent, [aWorkItem({ id: 'd1', status: 'failed' })], NOW),
    ).toBe(true);
    expect(
      escalationApplies('dependency_failed', dependent, [aWorkItem({ id: 'd1', status: 'ready' })], NOW),
    ).toBe(false);
  });

  it('finds no deadline passed on an item without one, and a deadline passed at its very moment', () => {
    expect(escalationApplies('deadline', aWorkItem(), [], NOW)).toBe(false);
    expect(escalationApplies('deadline', aWorkItem({ deadline: NOW.toISOString() }), [], NOW)).toBe(true);
    expect(escalationApplies('deadline', aWorkItem({ deadline: minutesFromNow(1) }), [], NOW)).toBe(false);
  });

  it('lets a failed dependency concern only an item still blocked on it', () => {
    const failed = aWorkItem({ id: 'd1', status: 'failed' });
    for (const status of ['cancelled', 'ready', 'escalated'] as const) {
      const item = aWorkItem({ status, remainingDeps: ['d1'] });
      expect(escalationApplies('dependency_failed', item, [failed], NOW)).toBe(false);
    }
  });
});

describe('requestsAfter', () => {
  it('asks retries_exhausted for an escalated item and dependency_failed for each dependent of a dead end', () => {
    const ctx = { now: NOW, requestId: 'req-7' };
    expect(requestsAfter(escalated, 'failed', ctx)).toEqual([
      {
        workId: 'wi-1',
        kind: 'retries_exhausted',
        at: NOW.toISOString(),
        requestId: 'req-7',
        details: { cause: 'failed' },
      },
    ]);
    const failed = aWorkItem({ status: 'failed', dependents: ['x', 'y'] });
    expect(requestsAfter(failed, 'failed', ctx).map((r) => [r.workId, r.kind, r.details])).toEqual([
      ['x', 'dependency_failed', { cause: 'failed', dependencyId: 'wi-1' }],
      ['y', 'dependency_failed', { cause: 'failed', dependencyId: 'wi-1' }],
    ]);
    expect(requestsAfter(aWorkItem(), 'released', ctx)).toEqual([]);
  });
});

describe('repair checks', () => {
  it('find an escalated item without its escalation, but not one resolved by hand since its last change', () => {
    expect(lacksRetriesEscalation(escalated, [], NOW)).toBe(true);
    expect(lacksRetriesEscalation(escalated, [anEscalation()], NOW)).toBe(false);
    const byHand = anEscalation({ status: 'resolved', openedAt: escalated.updatedAt });
    expect(lacksRetriesEscalation(escalated, [byHand], NOW)).toBe(false);
    expect(lacksRetriesEscalation(escalated, [{ ...byHand, openedAt: minutesFromNow(-90) }], NOW)).toBe(true);
  });

  it('leave a change alone for a minute, while its own request is on its way', () => {
    const fresh = { ...escalated, updatedAt: minutesFromNow(-0.5) };
    expect(lacksRetriesEscalation(fresh, [], NOW)).toBe(false);
    const dependent = aWorkItem({ status: 'blocked', remainingDeps: ['d1'] });
    const dependency = aWorkItem({ id: 'd1', status: 'cancelled', updatedAt: minutesFromNow(-0.5) });
    expect(unescalatedFailedDependencies(dependent, [dependency], [], NOW)).toEqual([]);
    expect(
      unescalatedFailedDependencies(dependent, [{ ...dependency, updatedAt: minutesFromNow(-2) }], [], NOW),
    ).toHaveLength(1);
  });

  it('find failed dependencies no dependency_failed escalation mentions since they failed', () => {
    const dependent = aWorkItem({ status: 'blocked', remainingDeps: ['d1'] });
    const failure = { reason: 'x', retryable: false, at: minutesFromNow(-5), agentId: 'a' };
    const dependency = aWorkItem({ id: 'd1', status: 'failed', failure });
    const mention = anEscalation({ kind: 'dependency_failed', details: { dependencies: [{ id: 'd1' }] } });
    expect(unescalatedFailedDependencies(dependent, [dependency], [], NOW)).toEqual([dependency]);
    expect(
      unescalatedFailedDependencies(
        dependent,
        [dependency],
        [{ ...mention, openedAt: minutesFromNow(-4) }],
        NOW,
      ),
    ).toEqual([]);
    expect(unescalatedFailedDependencies(dependent, [dependency], [mention], NOW)).toEqual([dependency]);
  });
});

describe('parseEscalationId: the number part', () => {
  it('takes a number of up to nine digits and nothing around it', () => {
    expect(parseEscalationId(escalationId('wi-1', 'deadline', 123))?.number).toBe(123);
    expect(parseEscalationId(escalationId('wi-1', 'deadline', 987654321))?.number).toBe(987654321);
    for (const digits of ['x1', '1x', '01', '1234567890']) {
      expect(parseEscalationId(escalationId('wi-1', 'deadline', 1).replace(/1$/, digits))).toBeUndefined();
    }
  });
});
