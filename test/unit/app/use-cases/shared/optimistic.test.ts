import { describe, expect, it } from 'vitest';
import { conflictsOn, refreshed } from '#app/use-cases/shared/optimistic';
import { WriteConflict } from '#core/ports';
import { aWorkItem } from '../../../core/builders';

const known = aWorkItem({ version: 1 });
const winner = aWorkItem({ version: 2, status: 'claimed' });
const fromStore = aWorkItem({ version: 3 });
const reread = async () => fromStore;

describe('refreshed', () => {
  it('takes what the failed write reports, without a read', async () => {
    const conflict = new WriteConflict([{ kind: 'work', id: known.id, current: winner }]);
    expect(await refreshed(conflict, ['work'], known.id, known, reread)).toBe(winner);
  });

  it('reads again when the failed write does not say what is stored', async () => {
    const conflict = new WriteConflict([{ kind: 'work', id: known.id }]);
    expect(await refreshed(conflict, ['work'], known.id, known, reread)).toBe(fromStore);
  });

  it('reads again when another write failed opaquely (a transaction conflict)', async () => {
    const conflict = new WriteConflict([{ kind: 'agentClaims', id: 'agent-a' }]);
    expect(await refreshed(conflict, ['work'], known.id, known, reread)).toBe(fromStore);
  });

  it('keeps the known record when the conflict was about other records only', async () => {
    const conflict = new WriteConflict([{ kind: 'work', id: 'other', current: winner }]);
    expect(await refreshed(conflict, ['work'], known.id, known, reread)).toBe(known);
  });
});

describe('conflictsOn', () => {
  it('tells whether a record of the kinds (and id) failed', () => {
    const conflict = new WriteConflict([{ kind: 'agentClaims', id: 'agent-a' }]);
    expect(conflictsOn(conflict, ['agentClaims'], 'agent-a')).toBe(true);
    expect(conflictsOn(conflict, ['agentClaims'], 'agent-b')).toBe(false);
    expect(conflictsOn(conflict, ['work'])).toBe(false);
  });
});
