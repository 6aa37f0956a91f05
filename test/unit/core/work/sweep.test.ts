import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '#core/settings';
import { REVIEW_STEP_POINTS, reviewAtOf } from '#core/work/review';
import { catchUpLease, expireClaim, markAgentOffline, repairUnblock, reviewItem } from '#core/work/sweep';
import { advance } from '#core/work/write';
import {
  aClaimedItem,
  anAgent,
  aWorkItem,
  changeContext,
  minutesFromNow,
  NOW,
  workContext,
} from '../builders';

const weights = DEFAULT_SETTINGS.urgencyWeights;
const expired = (overrides = {}) =>
  aClaimedItem('agent-a', 'token-1', {
    claim: {
      agentId: 'agent-a',
      token: 'token-1',
      claimedAt: minutesFromNow(-10),
      leaseExpiresAt: minutesFromNow(-5),
      holderLastHeartbeatAt: minutesFromNow(-10),
      holderHeartbeatIntervalSec: 30,
    },
    ...overrides,
  });

describe('expireClaim', () => {
  it('ends the claim fenced by the token: ready, attempts + 1, the holder freed', () => {
    // Act
    const expiry = expireClaim(expired(), 'token-1', workContext());
    // Assert
    expect(expiry?.escalated).toBe(false);
    expect(expiry?.item).toMatchObject({ status: 'ready', attempts: 1, readyAt: NOW.toISOString() });
    expect(expiry?.item.claim).toBeUndefined();
    expect(expiry?.change.writes).toContainEqual(
      expect.objectContaining({
        kind: 'agentClaims',
        agentId: 'agent-a',
        delta: -1,
        stats: { leaseExpiries: 1 },
        silentSince: minutesFromNow(-5),
      }),
    );
  });

  it('ends the claim when the holder’s last heartbeat is older than the lease', () => {
    expect(expireClaim(expired(), 'token-1', workContext(), minutesFromNow(-6))?.item.status).toBe('ready');
  });

  it('does nothing while the holder’s heartbeats keep the lease running', () => {
    expect(expireClaim(expired(), 'token-1', workContext(), minutesFromNow(-4))).toBeUndefined();
  });

  it('escalates when the expiry spends the retry budget', () => {
    const expiry = expireClaim(expired({ attempts: 2, maxAttempts: 3 }), 'token-1', workContext());
    expect(expiry?.escalated).toBe(true);
    expect(expiry?.item.status).toBe('escalated');
  });

  it('does nothing when another claim holds the item now', () => {
    expect(expireClaim(expired(), 'token-0', workContext())).toBeUndefined();
  });

  it('does nothing when the lease was renewed meanwhile', () => {
    expect(expireClaim(aClaimedItem('agent-a', 'token-1'), 'token-1', workContext())).toBeUndefined();
  });
});

describe('reviewAtOf', () => {
  it('is absent for items that are neither ready nor blocked', () => {
    expect(
      reviewAtOf(aWorkItem({ status: 'claimed', deadline: minutesFromNow(60) }), NOW, weights),
    ).toBeUndefined();
  });

  it('is absent for a ready item that aged out and has no deadline', () => {
    expect(reviewAtOf(aWorkItem({ readyAt: minutesFromNow(-2000) }), NOW, weights)).toBeUndefined();
  });

  it('comes when aging has added a step', () => {
    const at = reviewAtOf(aWorkItem({ readyAt: minutesFromNow(-60) }), NOW, weights);
    expect(at).toBe(minutesFromNow(REVIEW_STEP_POINTS * weights.agingMinutesPerPoint));
  });

  it('comes when the deadline horizon starts for a far deadline of a blocked item, and then at the deadline', () => {
    const deadline = minutesFromNow(72 * 60);
    expect(reviewAtOf(aWorkItem({ status: 'blocked', readyAt: undefined, deadline }), NOW, weights)).toBe(
      deadline,
    );
    const ready = aWorkItem({ readyAt: minutesFromNow(-5000), deadline });
    expect(reviewAtOf(ready, NOW, weights)).toBe(minutesFromNow(24 * 60));
  });

  it('is due at once for a passed deadline never escalated, and absent once it was', () => {
    const overdue = aWorkItem({ readyAt: minutesFromNow(-5000), deadline: minutesFromNow(-1) });
    expect(reviewAtOf(overdue, NOW, weights)).toBe(minutesFromNow(-1));
    expect(reviewAtOf({ ...overdue, deadlineEscalatedAt: NOW.toISOString() }, NOW, weights)).toBeUndefined();
  });

  it('is set by every write of a ready item', () => {
    const next = advance(aWorkItem({ readyAt: minutesFromNow(-60) }), {}, workContext());
    expect(next.reviewAt).toBe(minutesFromNow(REVIEW_STEP_POINTS * weights.agingMinutesPerPoint));
  });
});

describe('catchUpLease', () => {
  it('writes the lease the holder’s heartbeat gives, fenced by the token, without a version', () => {
    const change = catchUpLease(expired(), 'token-1', minutesFromNow(-1), workContext());
    expect(change).toEqual({
      writes: [
        {
          kind: 'workLease',
          workId: expired().id,
          token: 'token-1',
          leaseExpiresAt: minutesFromNow(4),
          holderLastHeartbeatAt: minutesFromNow(-1),
        },
      ],
      events: [],
    });
  });

  it('writes nothing for a lease that ran out, another claim, an unknown holder or a lease as long', () => {
    expect(catchUpLease(expired(), 'token-1', minutesFromNow(-6), workContext())).toBeUndefined();
    expect(catchUpLease(expired(), 'token-0', minutesFromNow(-1), workContext())).toBeUndefined();
    expect(catchUpLease(expired(), 'token-1', undefined, workContext())).toBeUndefined();
    const longer = aClaimedItem('agent-a', 'token-1', {}, 0);
    expect(catchUpLease(longer, 'token-1', minutesFromNow(-1), workContext())).toBeUndefined();
  });
});

describe('reviewItem', () => {
  it('brings the stored urgency up to date without an event', () => {
    // Arrange: stored urgency from an hour ago, review due now
    const item = aWorkItem({ readyAt: minutesFromNow(-60), urgency: 250, reviewAt: minutesFromNow(-1) });
    // Act
    const review = reviewItem(item, workContext());
    // Assert
    expect(review?.item.urgency).toBe(256);
    expect(review?.escalateDeadline).toBe(false);
    expect(review?.change.events).toEqual([]);
    expect(review?.change.writes).toEqual([
      { kind: 'work', item: review?.item, expectedVersion: item.version },
    ]);
  });

  it('asks for the deadline escalation once the deadline passed, and marks it', () => {
    const item = aWorkItem({ deadline: minutesFromNow(-2), reviewAt: minutesFromNow(-2) });
    const review = reviewItem(item, workContext());
    expect(review?.escalateDeadline).toBe(true);
    expect(review?.item.deadlineEscalatedAt).toBe(NOW.toISOString());
    expect(review?.item.urgency).toBe(200 + 50 + 300 + 6);
  });

  it('does nothing before the review time or for a held item', () => {
    expect(reviewItem(aWorkItem({ reviewAt: minutesFromNow(1) }), workContext())).toBeUndefined();
    expect(
      reviewItem(aClaimedItem('agent-a', 't', { reviewAt: minutesFromNow(-1) }), workContext()),
    ).toBeUndefined();
  });
});

describe('markAgentOffline', () => {
  const ctx = { ...changeContext(), settings: DEFAULT_SETTINGS };
  const silent = anAgent({ lastHeartbeatAt: minutesFromNow(-5), activeClaims: 1, capacity: 2 });

  it('announces a silent agent offline with an agent.status event', () => {
    const notice = markAgentOffline(silent, ctx);
    expect(notice?.agent).toMatchObject({ offlineSince: NOW.toISOString(), version: silent.version + 1 });
    expect(notice?.change.events).toEqual([
      expect.objectContaining({
        action: 'agent.status',
        entityId: silent.id,
        seq: silent.version + 1,
        before: { status: 'active' },
        after: { status: 'offline', lastHeartbeatAt: silent.lastHeartbeatAt },
      }),
    ]);
  });

  it('announces one silence once, and a new silence after a heartbeat again', () => {
    const announced = { ...silent, offlineSince: minutesFromNow(-1) };
    expect(markAgentOffline(announced, ctx)).toBeUndefined();
    const cameBack = {
      ...announced,
      lastHeartbeatAt: minutesFromNow(-4),
      offlineSince: minutesFromNow(-4.5),
    };
    expect(markAgentOffline(cameBack, ctx)?.agent.offlineSince).toBe(NOW.toISOString());
  });

  it('leaves agents alone that heartbeat, or retire', () => {
    expect(markAgentOffline(anAgent(), ctx)).toBeUndefined();
    expect(
      markAgentOffline({ ...silent, retirement: { mode: 'drain', requestedAt: NOW.toISOString() } }, ctx),
    ).toBeUndefined();
  });
});

describe('repairUnblock', () => {
  const blocked = aWorkItem({
    status: 'blocked',
    readyAt: undefined,
    dependsOn: ['a', 'b'],
    remainingDeps: ['a', 'b'],
  });

  it('stops waiting on completed dependencies and becomes ready when none is left', () => {
    const done = [aWorkItem({ id: 'a', status: 'completed' }), aWorkItem({ id: 'b', status: 'completed' })];
    const decision = repairUnblock(blocked, done, workContext());
    expect(decision?.item).toMatchObject({ status: 'ready', remainingDeps: [], readyAt: NOW.toISOString() });
    expect(decision?.change.events.map((e) => e.action)).toEqual(['work.unblocked']);
  });

  it('keeps waiting on dependencies that are not completed', () => {
    const some = [aWorkItem({ id: 'a', status: 'completed' }), aWorkItem({ id: 'b', status: 'ready' })];
    expect(repairUnblock(blocked, some, workContext())?.item).toMatchObject({
      status: 'blocked',
      remainingDeps: ['b'],
    });
    expect(repairUnblock(blocked, [aWorkItem({ id: 'a', status: 'failed' })], workContext())).toBeUndefined();
  });
});

describe('sweeper decisions: edges', () => {
  it('expires nothing on an item without a claim', () => {
    expect(expireClaim(aWorkItem(), 'token-1', workContext())).toBeUndefined();
  });

  it('does nothing for an item without a review time', () => {
    expect(reviewItem(aWorkItem({ reviewAt: undefined }), workContext())).toBeUndefined();
  });

  it('reviews a blocked item that is due, and asks for its deadline escalation', () => {
    const blocked = aWorkItem({
      status: 'blocked',
      readyAt: undefined,
      remainingDeps: ['a'],
      dependsOn: ['a'],
      deadline: minutesFromNow(-2),
      reviewAt: minutesFromNow(-2),
    });
    const review = reviewItem(blocked, workContext());
    expect(review?.escalateDeadline).toBe(true);
    expect(review?.item).toMatchObject({ status: 'blocked', deadlineEscalatedAt: NOW.toISOString() });
  });

  it('does not ask again for a deadline escalation already asked for', () => {
    const asked = minutesFromNow(-1);
    const item = aWorkItem({
      deadline: minutesFromNow(-2),
      deadlineEscalatedAt: asked,
      reviewAt: minutesFromNow(-1),
    });
    const review = reviewItem(item, workContext());
    expect(review?.escalateDeadline).toBe(false);
    expect(review?.item.deadlineEscalatedAt).toBe(asked);
  });

  it('says an agent holding nothing was idle before it went offline, and writes it under its version', () => {
    const ctx = { ...changeContext(), settings: DEFAULT_SETTINGS };
    const idle = anAgent({ lastHeartbeatAt: minutesFromNow(-5), activeClaims: 0, version: 7 });
    const notice = markAgentOffline(idle, ctx);
    expect(notice?.change.events[0]?.before).toEqual({ status: 'idle' });
    expect(notice?.change.writes).toEqual([{ kind: 'agent', agent: notice?.agent, expectedVersion: 7 }]);
  });

  it('repairs no item that is not blocked, even one that kept its remaining dependencies', () => {
    const cancelled = aWorkItem({
      status: 'cancelled',
      readyAt: undefined,
      dependsOn: ['a'],
      remainingDeps: ['a'],
    });
    expect(
      repairUnblock(cancelled, [aWorkItem({ id: 'a', status: 'completed' })], workContext()),
    ).toBeUndefined();
  });
});
