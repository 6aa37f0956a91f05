import { describe, expect, it } from 'vitest';
import { InvalidStateError } from '#core/errors';
import { cancelWork, retryWork } from '#core/work/admin-actions';
import { aClaimedItem, aWorkItem, NOW, workContext } from '../builders';

describe('cancelWork', () => {
  it('cancels a held item, ending the claim and freeing the holder at once', () => {
    const { item, change } = cancelWork(aClaimedItem('agent-b'), 'not needed', workContext());
    expect(item).toMatchObject({ status: 'cancelled', cancelReason: 'not needed', version: 3 });
    expect(item.claim).toBeUndefined();
    expect(change.writes[1]).toEqual({ kind: 'agentClaims', agentId: 'agent-b', delta: -1 });
    expect(change.events[0]).toMatchObject({ action: 'work.cancelled', agentId: 'agent-b' });
  });

  it('cancels an unclaimed item without touching any agent', () => {
    const { change } = cancelWork(aWorkItem({ status: 'blocked' }), undefined, workContext());
    expect(change.writes.map((w) => w.kind)).toEqual(['work']);
  });

  it.each(['completed', 'cancelled'] as const)('refuses to cancel a %s item', (status) => {
    expect(() => cancelWork(aWorkItem({ status }), undefined, workContext())).toThrow(InvalidStateError);
  });
});

describe('retryWork', () => {
  it.each(['escalated', 'failed'] as const)('sends a %s item back to ready with attempts 0', (status) => {
    const { item, change } = retryWork(
      aWorkItem({ status, attempts: 3, readyAt: undefined }),
      'try again',
      workContext(),
    );
    expect(item).toMatchObject({
      status: 'ready',
      attempts: 0,
      readyAt: NOW.toISOString(),
      lastNote: 'try again',
    });
    expect(change.events[0]).toMatchObject({
      action: 'work.retried',
      after: { status: 'ready', attempts: 0 },
    });
  });

  it.each(['ready', 'blocked', 'claimed', 'completed', 'cancelled'] as const)(
    'refuses a %s item as invalid_state with its status',
    (status) => {
      expect(() => retryWork(aWorkItem({ status }), undefined, workContext())).toThrow(
        expect.objectContaining({ code: 'invalid_state', details: { status } }),
      );
    },
  );
});

describe('admin actions: what a refusal says, and claims that hold nothing', () => {
  it('says why a finished item cannot be cancelled', () => {
    expect(() => cancelWork(aWorkItem({ status: 'completed' }), undefined, workContext())).toThrow(
      'Work item wi-1 is completed and cannot be cancelled.',
    );
  });

  it('says which items can be retried', () => {
    expect(() => retryWork(aWorkItem({ status: 'ready' }), undefined, workContext())).toThrow(
      'Work item wi-1 is ready; only escalated or failed items can be retried.',
    );
  });

  it('frees no agent when cancelling an item that only keeps its last claim', () => {
    const escalated = { ...aClaimedItem('agent-b'), status: 'escalated' as const };
    const { change } = cancelWork(escalated, undefined, workContext());
    expect(change.writes.map((w) => w.kind)).toEqual(['work']);
  });
});
