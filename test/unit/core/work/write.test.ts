import { describe, expect, it } from 'vitest';
import { workEvent, workSnapshot } from '#core/work/write';
import { aClaimedItem, aWorkItem, changeContext } from '../builders';

describe('workSnapshot', () => {
  it('keeps who holds a claim and until when, never its token nor the holder snapshot', () => {
    const item = aClaimedItem('agent-b', 'secret-token');
    expect(workSnapshot(item).claim).toStrictEqual({
      agentId: 'agent-b',
      claimedAt: item.claim?.claimedAt,
      leaseExpiresAt: item.claim?.leaseExpiresAt,
    });
    expect(JSON.stringify(workSnapshot(item))).not.toContain('secret-token');
  });

  it('has no claim key for an item nobody holds', () => {
    expect(Object.keys(workSnapshot(aWorkItem()))).not.toContain('claim');
  });
});

describe('workEvent', () => {
  it('names no agent when neither version of the item has a claim', () => {
    const prev = aWorkItem();
    const event = workEvent(changeContext(), 'work.updated', prev, { ...prev, version: 2, priority: 'high' });
    expect(Object.keys(event)).not.toContain('agentId');
    expect(event.after).toEqual({ priority: 'high' });
  });

  it('adds where the item came from to every event, and nothing for an item without a source', () => {
    const source = { kind: 'github', repository: 'octo/hub', issue: 42 };
    const prev = aWorkItem({ metadata: { source, notes: 'kept out' } });
    const next = { ...prev, version: 2, status: 'cancelled' as const };
    const event = workEvent(changeContext(), 'work.cancelled', prev, next);
    expect(event.before).toEqual({ status: 'ready' });
    expect(event.after).toEqual({ status: 'cancelled', metadata: { source } });

    const plain = aWorkItem({ metadata: { notes: 'no source' } });
    const plainEvent = workEvent(changeContext(), 'work.cancelled', plain, {
      ...plain,
      version: 2,
      status: 'cancelled',
    });
    expect(plainEvent.after).toStrictEqual({ status: 'cancelled' });
  });
});
