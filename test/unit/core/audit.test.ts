import { describe, expect, it } from 'vitest';
import { auditEvent, changedFields } from '#core/audit';
import { changeContext, NOW } from './builders';

describe('changedFields', () => {
  it('keeps only the fields that differ, with null for absent ones', () => {
    expect(changedFields({ a: 1, b: [1], c: 'x' }, { a: 1, b: [2], d: true })).toEqual({
      before: { b: [1], c: 'x', d: null },
      after: { b: [2], c: null, d: true },
    });
  });
});

describe('auditEvent', () => {
  it('stamps id, time, actor and request id', () => {
    expect(
      auditEvent(changeContext(), { action: 'work.claimed', entityType: 'work', entityId: 'w', seq: 3 }),
    ).toEqual({
      id: 'ev-1',
      at: NOW.toISOString(),
      actor: { type: 'admin', id: 'admin' },
      requestId: 'req-1',
      action: 'work.claimed',
      entityType: 'work',
      entityId: 'w',
      seq: 3,
    });
  });

  it('leaves requestId out for system changes', () => {
    const event = auditEvent(changeContext({ requestId: undefined }), {
      action: 'work.released',
      entityType: 'work',
      entityId: 'w',
      seq: 2,
    });
    expect('requestId' in event).toBe(false);
  });
});
