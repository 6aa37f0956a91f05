import { describe, expect, it } from 'vitest';
import { inFlightFlags, SIMILAR_TITLE_THRESHOLD, titleSimilarity } from '#core/work/paths-flags';
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
