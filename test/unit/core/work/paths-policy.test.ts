import { describe, expect, it } from 'vitest';
import { PathsInUseError } from '#core/errors';
import { DEFAULT_SETTINGS, type PathsPolicy, type Settings } from '#core/settings';
import {
  checkPaths,
  MAX_LISTED_OVERLAPS,
  needsPathsCheck,
  pathsConflicts,
  pathsPolicyOf,
  pathsVerdict,
} from '#core/work/paths-policy';
import { aClaimedItem, aWorkItem, NOW } from '../builders';

const withPolicy = (team: PathsPolicy, fallback: PathsPolicy = 'off'): Settings => ({
  ...DEFAULT_SETTINGS,
  pathOverlap: { '*': fallback, core: team },
});
const candidate = aWorkItem({ id: 'wi-new', paths: ['src/core/**'] });
const held = aClaimedItem('agent-b', 'token-b', { id: 'wi-held', paths: ['src/core/work/claim.ts'] });

describe('pathsPolicyOf', () => {
  it('takes the team entry before the * entry, and off without either', () => {
    expect(pathsPolicyOf({ pathOverlap: {} }, 'core')).toBe('off');
    expect(pathsPolicyOf(withPolicy('block', 'warn'), 'core')).toBe('block');
    expect(pathsPolicyOf(withPolicy('block', 'warn'), 'web')).toBe('warn');
  });
});

describe('needsPathsCheck', () => {
  it('reads nothing by default, nor for an item without paths', () => {
    expect(needsPathsCheck(candidate, DEFAULT_SETTINGS)).toBe(false);
    expect(needsPathsCheck(aWorkItem(), withPolicy('block'))).toBe(false);
    expect(needsPathsCheck(candidate, withPolicy('warn'))).toBe(true);
  });
});

describe('checkPaths', () => {
  it('throws paths_in_use naming the holder, the item and the overlapping globs under block', () => {
    const error = (() => {
      try {
        checkPaths(candidate, [held], 'agent-a', NOW, withPolicy('block'));
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(PathsInUseError);
    expect((error as PathsInUseError).code).toBe('paths_in_use');
    expect((error as PathsInUseError).details).toMatchObject({
      holder: { agentId: 'agent-b', workId: 'wi-held', status: 'active' },
      paths: ['src/core/**', 'src/core/work/claim.ts'],
    });
  });

  it('lists the overlaps instead under warn', () => {
    expect(checkPaths(candidate, [held], 'agent-a', NOW, withPolicy('warn'))).toEqual([
      expect.objectContaining({
        holder: expect.objectContaining({ agentId: 'agent-b', workId: 'wi-held' }),
        paths: ['src/core/**', 'src/core/work/claim.ts'],
      }),
    ]);
  });

  it('ignores the agent its own items, items elsewhere, items not held and paths that do not overlap', () => {
    const settings = withPolicy('block');
    const others = [
      aClaimedItem('agent-a', 'token-a', { id: 'mine', paths: ['src/**'] }),
      aClaimedItem('agent-b', 'token-b', { id: 'web', team: 'web', paths: ['src/**'] }),
      aWorkItem({ id: 'waiting', paths: ['src/**'] }),
      aClaimedItem('agent-b', 'token-b', { id: 'docs', paths: ['docs/**'] }),
      aClaimedItem('agent-b', 'token-b', { id: 'none' }),
    ];
    expect(pathsVerdict(candidate, others, 'agent-a', NOW, settings)).toEqual({ overlaps: [] });
  });

  it('checks nothing under off', () => {
    expect(checkPaths(candidate, [held], 'agent-a', NOW, withPolicy('off'))).toEqual([]);
  });
});

describe('pathsConflicts and pathsVerdict: edges', () => {
  it('ignores an ended item that keeps its last claim', () => {
    const ended = aClaimedItem('agent-b', 'token-b', { id: 'done', status: 'completed', paths: ['src/**'] });
    expect(pathsConflicts(candidate, [ended], 'agent-a', NOW, DEFAULT_SETTINGS)).toEqual([]);
  });

  it('never counts the item against itself', () => {
    const itself = aClaimedItem('agent-b', 'token-b', { id: candidate.id, paths: candidate.paths });
    expect(pathsConflicts(candidate, [itself], 'agent-a', NOW, DEFAULT_SETTINGS)).toEqual([]);
  });

  it('finds no overlap when either item declares no paths', () => {
    const everything = aClaimedItem('agent-b', 'token-b', { id: 'all', paths: ['**'] });
    expect(pathsConflicts(aWorkItem({ id: 'bare' }), [everything], 'agent-a', NOW, DEFAULT_SETTINGS)).toEqual(
      [],
    );
    const unpathed = aClaimedItem('agent-b', 'token-b', { id: 'unpathed' });
    expect(
      pathsConflicts({ ...candidate, paths: ['**'] }, [unpathed], 'agent-a', NOW, DEFAULT_SETTINGS),
    ).toEqual([]);
  });

  it('names no blocker under block when nothing overlaps, and lists nothing besides the blocker when one does', () => {
    expect(pathsVerdict(candidate, [], 'agent-a', NOW, withPolicy('block'))).toStrictEqual({ overlaps: [] });
    const verdict = pathsVerdict(candidate, [held], 'agent-a', NOW, withPolicy('block'));
    expect(verdict.overlaps).toEqual([]);
    expect(verdict.blockedBy?.holder.workId).toBe('wi-held');
  });

  it(`lists at most ${MAX_LISTED_OVERLAPS} overlaps under warn`, () => {
    const many = Array.from({ length: MAX_LISTED_OVERLAPS + 2 }, (_, n) =>
      aClaimedItem('agent-b', 'token-b', { id: `wi-${n}`, paths: ['src/core/x.ts'] }),
    );
    const overlaps = checkPaths(candidate, many, 'agent-a', NOW, withPolicy('warn'));
    expect(overlaps.map((overlap) => overlap.holder.workId)).toEqual(
      many.slice(0, MAX_LISTED_OVERLAPS).map((item) => item.id),
    );
  });
});
