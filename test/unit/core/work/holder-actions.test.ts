import { describe, expect, it } from 'vitest';
import { ForbiddenError, StaleClaimError } from '#core/errors';
import { completeWork, expireLease, failWork, releaseWork, reportProgress } from '#core/work/holder-actions';
import { aClaimedItem, aWorkItem, minutesFromNow, NOW, workContext } from '../builders';

const holder = { token: 'token-1', agentId: 'agent-a' };

describe('the claim token check', () => {
  const actions = {
    progress: (item = aClaimedItem(), req = holder) =>
      reportProgress(item, { ...req, progress: 10 }, workContext()),
    complete: (item = aClaimedItem(), req = holder) => completeWork(item, req, workContext()),
    fail: (item = aClaimedItem(), req = holder) => failWork(item, { ...req, reason: 'x' }, workContext()),
    release: (item = aClaimedItem(), req = holder) => releaseWork(item, req, workContext()),
  };

  it.each(Object.entries(actions))('%s refuses a superseded token as stale, naming the holder', (_, act) => {
    expect(() => act(aClaimedItem('agent-a', 'token-2'), holder)).toThrow(StaleClaimError);
    expect(() => act(aClaimedItem('agent-a', 'token-2'), holder)).toThrow(
      expect.objectContaining({
        details: {
          status: 'claimed',
          holder: expect.objectContaining({ agentId: 'agent-a', status: 'active' }),
        },
      }),
    );
  });

  it.each(Object.entries(actions))('%s refuses a token after the claim ended, without a holder', (_, act) => {
    expect(() => act(aWorkItem({ status: 'completed' }), holder)).toThrow(
      expect.objectContaining({ code: 'stale_claim', details: { status: 'completed' } }),
    );
  });

  it.each(Object.entries(actions))(
    '%s checks the token before the agent: a stale token from another agent is stale',
    (_, act) => {
      expect(() => act(aClaimedItem('agent-a', 'token-2'), { token: 'token-1', agentId: 'agent-z' })).toThrow(
        StaleClaimError,
      );
    },
  );

  it.each(Object.entries(actions))('%s forbids the current token sent by another agent', (_, act) => {
    expect(() => act(aClaimedItem('agent-a', 'token-1'), { token: 'token-1', agentId: 'agent-z' })).toThrow(
      ForbiddenError,
    );
  });
});

describe('reportProgress', () => {
  it('moves claimed to in_progress, records progress and note, renews the lease', () => {
    const { item, change } = reportProgress(
      aClaimedItem(),
      { ...holder, progress: 40, note: 'half' },
      workContext(),
    );
    expect(item).toMatchObject({ status: 'in_progress', progress: 40, lastNote: 'half', version: 3 });
    expect(item.claim).toMatchObject({
      leaseExpiresAt: minutesFromNow(5),
      holderLastHeartbeatAt: NOW.toISOString(),
    });
    expect(change.writes).toHaveLength(1);
    expect(change.events[0]).toMatchObject({
      action: 'work.progress',
      seq: 3,
      before: { status: 'claimed', progress: 0 },
      after: { status: 'in_progress', progress: 40, lastNote: 'half' },
    });
  });

  it('keeps the previous note when none is given', () => {
    const { item } = reportProgress(
      aClaimedItem('agent-a', 'token-1', { lastNote: 'n1' }),
      { ...holder, progress: 5 },
      workContext(),
    );
    expect(item.lastNote).toBe('n1');
  });
});

describe('completeWork', () => {
  it('completes with result and completedAt, frees capacity and counts the completion', () => {
    const { item, change } = completeWork(aClaimedItem(), { ...holder, result: { ok: true } }, workContext());
    expect(item).toMatchObject({
      status: 'completed',
      progress: 100,
      result: { ok: true },
      completedAt: NOW.toISOString(),
    });
    expect(item.claim).toBeUndefined();
    expect(change.writes[1]).toEqual({
      kind: 'agentClaims',
      agentId: 'agent-a',
      delta: -1,
      stats: { completed: 1 },
    });
    expect(change.events[0]).toMatchObject({ action: 'work.completed', agentId: 'agent-a' });
  });

  it('records speed against the estimate', () => {
    const item = aClaimedItem('agent-a', 'token-1', { estimateMinutes: 20 }, 30);
    const { change } = completeWork(item, holder, workContext());
    expect(change.writes[1]).toMatchObject({ stats: { completed: 1, speedRatioSum: 1.5, speedSamples: 1 } });
  });

  it('counts a claim stamped after now (a clock ahead of this one) as no time taken, not a negative one', () => {
    const item = aClaimedItem('agent-a', 'token-1', { estimateMinutes: 20 }, -2);
    const { change } = completeWork(item, holder, workContext());
    expect(change.writes[1]).toMatchObject({ stats: { completed: 1, speedRatioSum: 0, speedSamples: 1 } });
  });
});

describe('failWork', () => {
  it('sends a retryable failure back to ready with attempts + 1', () => {
    const { item, change } = failWork(aClaimedItem(), { ...holder, reason: 'flaky' }, workContext());
    expect(item).toMatchObject({
      status: 'ready',
      attempts: 1,
      readyAt: NOW.toISOString(),
      failure: { reason: 'flaky', retryable: true, at: NOW.toISOString(), agentId: 'agent-a' },
    });
    expect(change.writes[1]).toEqual({
      kind: 'agentClaims',
      agentId: 'agent-a',
      delta: -1,
      stats: { failed: 1 },
    });
    expect(change.events[0]?.action).toBe('work.failed');
  });

  it('escalates when the attempts reach maxAttempts', () => {
    const { item, change } = failWork(
      aClaimedItem('agent-a', 'token-1', { attempts: 2 }),
      { ...holder, reason: 'x' },
      workContext(),
    );
    expect(item).toMatchObject({ status: 'escalated', attempts: 3 });
    expect(change.events[0]?.action).toBe('work.escalated');
  });

  it('ends a non-retryable failure as failed', () => {
    const { item } = failWork(
      aClaimedItem(),
      { ...holder, reason: 'bad input', retryable: false },
      workContext(),
    );
    expect(item).toMatchObject({ status: 'failed', attempts: 1, failure: { retryable: false } });
    expect(item.claim).toBeUndefined();
  });
});

describe('releaseWork', () => {
  it('returns the item to ready with attempts unchanged and frees capacity', () => {
    const { item, change } = releaseWork(
      aClaimedItem('agent-a', 'token-1', { attempts: 2, progress: 50 }),
      holder,
      workContext(),
    );
    expect(item).toMatchObject({ status: 'ready', attempts: 2, progress: 0, readyAt: NOW.toISOString() });
    expect(change.writes[1]).toEqual({ kind: 'agentClaims', agentId: 'agent-a', delta: -1 });
  });
});

describe('expireLease', () => {
  it('ends an expired claim: attempts + 1, back to ready, the expiry counted while the holder stays silent', () => {
    const item = aClaimedItem('agent-a', 'token-1', {}, 6);
    const decision = expireLease(item, workContext());
    expect(decision?.item).toMatchObject({ status: 'ready', attempts: 1 });
    expect(decision?.change.writes[1]).toEqual({
      kind: 'agentClaims',
      agentId: 'agent-a',
      delta: -1,
      stats: { leaseExpiries: 1 },
      silentSince: minutesFromNow(-5),
    });
  });

  it('keeps a written lease that ran out while the holder’s heartbeat still covers it', () => {
    const item = aClaimedItem('agent-a', 'token-1', {}, 6);
    expect(expireLease(item, workContext(), minutesFromNow(-2))).toBeUndefined();
  });

  it('escalates when the budget is spent', () => {
    const item = aClaimedItem('agent-a', 'token-1', { attempts: 2 }, 6);
    expect(expireLease(item, workContext())?.item.status).toBe('escalated');
  });

  it('ends a lease at the very moment it runs out, in the holder’s name', () => {
    const decision = expireLease(aClaimedItem('agent-a', 'token-1', {}, 5), workContext());
    expect(decision?.item).toMatchObject({ status: 'ready', attempts: 1 });
    expect(decision?.change.events[0]).toMatchObject({ action: 'work.released', agentId: 'agent-a' });
  });

  it('leaves an ended item that keeps its last claim, however old', () => {
    const claim = aClaimedItem('agent-a', 'token-1', {}, 60).claim;
    for (const status of ['completed', 'failed', 'escalated'] as const) {
      expect(expireLease(aWorkItem({ status, claim }), workContext())).toBeUndefined();
    }
  });

  it('leaves a claim whose lease is still running', () => {
    expect(expireLease(aClaimedItem(), workContext())).toBeUndefined();
    expect(expireLease(aWorkItem(), workContext())).toBeUndefined();
  });
});
