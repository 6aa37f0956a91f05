import { describe, expect, it } from 'vitest';
import {
  currentClaim,
  holderInfo,
  leaseExpiry,
  newClaim,
  renewedClaim,
  sameSecret,
  silentSinceCutoff,
} from '#core/claims/holder';
import { ForbiddenError } from '#core/errors';
import { aClaimedItem, anAgent, minutesFromNow, NOW } from '../builders';

describe('holderInfo', () => {
  it('reports the holder active within the timeout and offline after it', () => {
    const claim = aClaimedItem().claim;
    if (!claim) throw new Error('fixture has a claim');
    expect(holderInfo(claim, NOW, 3)).toEqual({
      agentId: 'agent-a',
      status: 'active',
      lastHeartbeatAt: minutesFromNow(-1),
      leaseExpiresAt: minutesFromNow(4),
    });
    expect(holderInfo(claim, new Date(NOW.getTime() + 60_000), 3).status).toBe('offline');
  });
});

describe('newClaim and renewedClaim', () => {
  it('lease from now and a liveness snapshot', () => {
    const claim = newClaim(anAgent({ heartbeatIntervalSec: 12 }), 'tok', NOW, 60);
    expect(claim).toEqual({
      agentId: 'agent-a',
      token: 'tok',
      claimedAt: NOW.toISOString(),
      leaseExpiresAt: minutesFromNow(1),
      holderLastHeartbeatAt: NOW.toISOString(),
      holderHeartbeatIntervalSec: 12,
    });
    const later = new Date(NOW.getTime() + 30_000);
    expect(renewedClaim(claim, later, 60)).toMatchObject({
      leaseExpiresAt: minutesFromNow(1.5),
      holderLastHeartbeatAt: later.toISOString(),
      token: 'tok',
    });
  });
});

describe('leaseExpiry', () => {
  it('follows the holder’s last heartbeat past the written lease', () => {
    const claim = { leaseExpiresAt: minutesFromNow(1) };
    expect(leaseExpiry(claim, minutesFromNow(0), 300)).toBe(minutesFromNow(5));
  });

  it('keeps the written lease when it runs longer than the heartbeat gives, or the holder is unknown', () => {
    const claim = { leaseExpiresAt: minutesFromNow(10) };
    expect(leaseExpiry(claim, minutesFromNow(0), 300)).toBe(minutesFromNow(10));
    expect(leaseExpiry({ leaseExpiresAt: minutesFromNow(1) }, undefined, 300)).toBe(minutesFromNow(1));
  });
});

describe('silentSinceCutoff', () => {
  it('is one lease before now', () => {
    expect(silentSinceCutoff(NOW, 300)).toBe(minutesFromNow(-5));
  });
});

describe('sameSecret', () => {
  it('matches only identical strings', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abd', 'abc')).toBe(false);
    expect(sameSecret('ab', 'abc')).toBe(false);
    expect(sameSecret('', 'abc')).toBe(false);
    expect(sameSecret('abcd', 'abc')).toBe(false);
  });
});

describe('currentClaim', () => {
  it('forbids a current token sent by another agent, naming the item', () => {
    const item = aClaimedItem('agent-a', 'token-1');

    expect(() => currentClaim(item, 'token-1', 'agent-b', NOW, 2)).toThrow(ForbiddenError);
    expect(() => currentClaim(item, 'token-1', 'agent-b', NOW, 2)).toThrow(
      `Only the holder of work item ${item.id} may use its claim token.`,
    );
  });
});
