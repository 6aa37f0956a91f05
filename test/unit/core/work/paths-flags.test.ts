import { describe, expect, it } from 'vitest';
import {
  inFlightFlags,
  MAX_FLAGS,
  SIMILAR_TITLE_THRESHOLD,
  titleSimilarity,
  titleWords,
} from '#core/work/paths-flags';
import { aClaimedItem, aWorkItem } from '../builders';

describe('titleSimilarity', () => {
  it('counts shared words over all words, ignoring case, punctuation and common words', () => {
    expect(titleSimilarity('Fix the login bug', 'fix login-bug')).toBe(1);
    expect(titleSimilarity('Add trace ids to worker logs', 'Add trace ids to API logs')).toBeCloseTo(4 / 6);
    expect(titleSimilarity('Build the dashboard', 'Write release notes')).toBe(0);
    expect(titleSimilarity('the', 'of')).toBe(0);
  });
});

describe('inFlightFlags', () => {
  const item = aWorkItem({ id: 'wi-new', title: 'Fix API throttling', paths: ['lib/**/api.ts'] });

  it('flags overlapping paths and near-duplicate titles of items in flight in the team', () => {
    const work = [
      aClaimedItem('agent-b', 't', { id: 'wi-stack', title: 'Split the stacks', paths: ['lib/stacks/'] }),
      aClaimedItem('agent-c', 't', { id: 'wi-dup', title: 'Fix the API throttling', paths: ['docs/**'] }),
    ];

    expect(inFlightFlags(item, work)).toEqual([
      {
        kind: 'paths_overlap',
        workId: 'wi-stack',
        agentId: 'agent-b',
        paths: ['lib/**/api.ts', 'lib/stacks/'],
      },
      { kind: 'similar_title', workId: 'wi-dup', agentId: 'agent-c', similarity: 1 },
    ]);
  });

  it('ignores items not in flight, of other teams, itself, and overlaps with the excepted agent', () => {
    const work = [
      item,
      aWorkItem({ id: 'wi-ready', title: 'Fix API throttling', paths: ['lib/**'] }),
      aClaimedItem('agent-b', 't', {
        id: 'wi-web',
        team: 'web',
        title: 'Fix API throttling',
        paths: ['lib/**'],
      }),
      aClaimedItem('agent-a', 't', { id: 'wi-mine', title: 'Other work', paths: ['lib/**'] }),
    ];

    expect(inFlightFlags(item, work, 'agent-a')).toEqual([]);
  });

  it('does not flag titles below the threshold', () => {
    const other = aClaimedItem('agent-b', 't', { id: 'wi-x', title: 'Fix API docs' });
    expect(titleSimilarity(item.title, other.title)).toBeLessThan(SIMILAR_TITLE_THRESHOLD);
    expect(inFlightFlags(item, [other])).toEqual([]);
  });
});

describe('titleWords', () => {
  it.each(['of', 'in', 'on', 'for', 'with', 'from', 'by', 'at'])('drops the common word "%s"', (word) => {
    expect([...titleWords(`Deploy ${word} staging`)]).toEqual(['deploy', 'staging']);
  });

  it('keeps no empty word from punctuation at either end', () => {
    expect([...titleWords('[API] fix throttling!')]).toEqual(['api', 'fix', 'throttling']);
    expect(titleSimilarity('[API] fix throttling!', 'api fix throttling')).toBe(1);
    expect(titleSimilarity('...', '!!!')).toBe(0);
  });
});

describe('inFlightFlags: limits and edges', () => {
  const item = aWorkItem({ id: 'wi-new', title: 'Fix API throttling', paths: ['lib/**'] });

  it(`lists at most ${MAX_FLAGS} flags`, () => {
    const work = Array.from({ length: 8 }, (_, n) =>
      aClaimedItem(`agent-${n}`, 't', { id: `wi-${n}`, title: 'Fix API throttling', paths: ['lib/x.ts'] }),
    );
    const flags = inFlightFlags(item, work);
    expect(flags).toHaveLength(MAX_FLAGS);
    expect(flags.slice(0, 2).map((flag) => [flag.kind, flag.workId])).toEqual([
      ['paths_overlap', 'wi-0'],
      ['similar_title', 'wi-0'],
    ]);
  });

  it('never flags an item that ended, even if it keeps its last claim', () => {
    const ended = aClaimedItem('agent-b', 't', { id: 'wi-done', status: 'completed', paths: ['lib/**'] });
    expect(inFlightFlags({ ...item, title: ended.title }, [ended])).toEqual([]);
  });

  it('never flags an item without a holder, whatever its status says', () => {
    const unheld = aWorkItem({ id: 'wi-odd', status: 'in_progress', title: item.title, paths: ['lib/**'] });
    expect(inFlightFlags(item, [unheld])).toEqual([]);
  });

  it('never flags the item against itself when it is in flight', () => {
    const mine = aClaimedItem('agent-b', 't', { id: 'wi-new', title: item.title, paths: ['lib/**'] });
    expect(inFlightFlags(mine, [mine])).toEqual([]);
  });

  it('finds no overlap when either item declares no paths', () => {
    const bare = aWorkItem({ id: 'wi-bare', title: 'Write notes' });
    const everything = aClaimedItem('agent-b', 't', { id: 'wi-all', title: 'Other', paths: ['**'] });
    expect(inFlightFlags(bare, [everything])).toEqual([]);
    const unpathed = aClaimedItem('agent-b', 't', { id: 'wi-unpathed', title: 'Other' });
    expect(inFlightFlags({ ...item, paths: ['**'] }, [unpathed])).toEqual([]);
  });

  it('flags titles exactly at the threshold', () => {
    const other = aClaimedItem('agent-b', 't', { id: 'wi-x', title: 'alpha beta gamma omega' });
    expect(titleSimilarity('alpha beta gamma delta', other.title)).toBe(SIMILAR_TITLE_THRESHOLD);
    expect(inFlightFlags({ ...item, title: 'alpha beta gamma delta' }, [other])).toEqual([
      { kind: 'similar_title', workId: 'wi-x', agentId: 'agent-b', similarity: 0.6 },
    ]);
  });
});
