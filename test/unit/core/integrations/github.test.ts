import { describe, expect, it } from 'vitest';
import {
  decideIssueEvent,
  type IssueItem,
  issueWorkId,
  issueWorkIds,
  isWorkIssue,
  MAX_ISSUE_GENERATIONS,
  plainTextOf,
  priorityOfLabels,
} from '#core/integrations/github';
import { DEFAULT_SETTINGS } from '#core/settings';

const repository = { id: 708213844, fullName: 'Octo-Org/agent-hub.js' };
const settings = { team: 'platform', labels: ['agent-work'] };
const open = { number: 42, state: 'open', labels: ['Agent-Work', 'P1'] };
const item = (status: IssueItem['status'], generation = 1): IssueItem => ({
  id: issueWorkId(repository, 42, generation),
  status,
  generation,
});

describe('issueWorkId', () => {
  it('names the item after the repository and the issue, in lower case', () => {
    expect(issueWorkId(repository, 42)).toBe('gh-octo-org.agent-hub.js-42');
    expect(issueWorkId(repository, 42, 3)).toBe('gh-octo-org.agent-hub.js-42-r3');
  });

  it('tells apart repositories whose names only differ in where the owner ends', () => {
    expect(issueWorkId({ id: 1, fullName: 'a-b/c' }, 1)).not.toBe(
      issueWorkId({ id: 2, fullName: 'a/b-c' }, 1),
    );
  });

  it('falls back to the repository id when the readable id would pass 128 characters', () => {
    const long = { id: 99, fullName: `${'o'.repeat(39)}/${'r'.repeat(100)}` };

    expect(issueWorkId(long, 7)).toBe('gh-r99-7');
    expect(issueWorkIds(long, 7)).toHaveLength(MAX_ISSUE_GENERATIONS);
  });

  it('keeps every id within the API id rules', () => {
    for (const id of issueWorkIds({ id: 5, fullName: 'wéird owner/ré po' }, 12)) {
      expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/);
    }
  });
});

describe('priorityOfLabels', () => {
  it('takes the most urgent mapped label, without case', () => {
    expect(priorityOfLabels(['p2', 'bug', 'P0'], DEFAULT_SETTINGS.github.priorityLabels)).toBe('critical');
    expect(priorityOfLabels(['p3'], DEFAULT_SETTINGS.github.priorityLabels)).toBe('low');
  });

  it('answers undefined when no label is mapped', () => {
    expect(priorityOfLabels(['bug'], DEFAULT_SETTINGS.github.priorityLabels)).toBeUndefined();
  });
});

describe('plainTextOf', () => {
  it('turns CRLF into LF and drops other control characters', () => {
    expect(plainTextOf('a\r\nb\rc\u0007d\te', 100)).toBe('a\nb\ncd\te');
  });

  it('cuts at the limit in code points and marks the cut', () => {
    const cut = plainTextOf('😀'.repeat(10), 5);

    expect([...cut]).toHaveLength(5);
    expect(cut.endsWith('…')).toBe(true);
  });
});

describe('decideIssueEvent', () => {
  it('creates the first item of an open labelled issue on opened, labeled and reopened', () => {
    for (const action of ['opened', 'labeled', 'reopened']) {
      expect(decideIssueEvent(action, open, undefined, settings)).toEqual({ kind: 'create', generation: 1 });
    }
  });

  it('ignores an issue without a configured label', () => {
    expect(decideIssueEvent('opened', { ...open, labels: ['bug'] }, undefined, settings)).toEqual({
      kind: 'ignore',
      reason: 'the issue has none of the configured labels',
    });
  });

  it('ignores every issue event while no team is configured', () => {
    expect(decideIssueEvent('opened', open, undefined, { labels: ['agent-work'] })).toMatchObject({
      kind: 'ignore',
      reason: 'no team is configured (github.team in PUT /v1/config)',
    });
  });

  it('does not create a second item while one exists', () => {
    expect(decideIssueEvent('labeled', open, item('ready'), settings)).toMatchObject({
      kind: 'ignore',
      id: item('ready').id,
    });
    expect(decideIssueEvent('reopened', open, item('in_progress'), settings).kind).toBe('ignore');
  });

  it('cancels the newest item on closed unless it has ended', () => {
    const closed = { ...open, state: 'closed' };

    expect(decideIssueEvent('closed', closed, item('claimed', 2), settings)).toEqual({
      kind: 'cancel',
      id: item('claimed', 2).id,
    });
    expect(decideIssueEvent('closed', closed, item('completed'), settings).kind).toBe('ignore');
    expect(decideIssueEvent('closed', closed, undefined, settings).kind).toBe('ignore');
  });

  it('creates the next item when a reopened issue had its item end, up to the limit', () => {
    expect(decideIssueEvent('reopened', open, item('cancelled', 2), settings)).toEqual({
      kind: 'create',
      generation: 3,
    });
    expect(decideIssueEvent('reopened', open, item('completed', MAX_ISSUE_GENERATIONS), settings).kind).toBe(
      'ignore',
    );
    expect(decideIssueEvent('opened', open, item('cancelled'), settings).kind).toBe('ignore');
  });

  it('ignores other actions and issues that are not open', () => {
    expect(decideIssueEvent('edited', open, undefined, settings).kind).toBe('ignore');
    expect(decideIssueEvent('labeled', { ...open, state: 'closed' }, undefined, settings).kind).toBe(
      'ignore',
    );
  });
});

describe('issue ids and rules: exact forms', () => {
  it('replaces characters an id may not hold with "-", and the owner\'s dots too', () => {
    expect(issueWorkId({ id: 5, fullName: 'wéird owner/ré po' }, 12)).toBe('gh-w-ird-owner.r--po-12');
    expect(issueWorkId({ id: 6, fullName: 'a.b/c.d' }, 1)).toBe('gh-a-b.c.d-1');
  });

  it('names a repository without an owner part after the whole name', () => {
    expect(issueWorkId({ id: 3, fullName: 'Loner' }, 1)).toBe('gh-loner.-1');
  });

  it('keeps a readable id of exactly 128 characters, and falls back one past it', () => {
    const fits = { id: 98, fullName: `${'o'.repeat(39)}/${'r'.repeat(83)}` };
    expect(issueWorkId(fits, 7)).toHaveLength(128);
    expect(issueWorkId(fits, 7).startsWith('gh-ooo')).toBe(true);
    expect(issueWorkId({ ...fits, fullName: `${fits.fullName}r` }, 7)).toBe('gh-r98-7');
  });

  it('lists one id per generation, the first without a suffix', () => {
    expect(issueWorkIds({ id: 1, fullName: 'o/r' }, 4)).toEqual([
      'gh-o.r-4',
      ...Array.from({ length: MAX_ISSUE_GENERATIONS - 1 }, (_, n) => `gh-o.r-4-r${n + 2}`),
    ]);
  });

  it('takes an issue with any one of several configured labels as work', () => {
    expect(isWorkIssue(['bug'], { labels: ['bug', 'agent-work'] })).toBe(true);
    expect(isWorkIssue(['docs'], { labels: ['bug', 'agent-work'] })).toBe(false);
  });
});

describe('plainTextOf: surrogates and the limit', () => {
  it('keeps surrogate pairs and replaces lone surrogates with U+FFFD', () => {
    expect(plainTextOf('a😀b', 10)).toBe('a😀b');
    expect(plainTextOf('a\ud800b\udc00c\ud83d', 10)).toBe('a\ufffdb\ufffdc\ufffd');
  });

  it('keeps text of exactly the limit whole', () => {
    expect(plainTextOf('abcde', 5)).toBe('abcde');
    expect(plainTextOf('abcdef', 5)).toBe('abcd…');
  });
});

describe('decideIssueEvent: the reasons it answers', () => {
  const closed = { ...open, state: 'closed' };

  it('says which action is not acted on', () => {
    expect(decideIssueEvent('edited', open, undefined, settings)).toEqual({
      kind: 'ignore',
      reason: 'issue action "edited" is not acted on',
    });
  });

  it('says why a closed issue cancels nothing', () => {
    expect(decideIssueEvent('closed', closed, undefined, settings)).toEqual({
      kind: 'ignore',
      reason: 'the issue has no work item',
    });
    expect(decideIssueEvent('closed', closed, item('completed'), settings)).toEqual({
      kind: 'ignore',
      reason: `work item ${item('completed').id} is completed`,
      id: item('completed').id,
    });
  });

  it('says why nothing is created', () => {
    expect(decideIssueEvent('labeled', closed, undefined, settings)).toEqual({
      kind: 'ignore',
      reason: 'the issue is not open',
    });
    expect(decideIssueEvent('labeled', open, item('ready'), settings)).toEqual({
      kind: 'ignore',
      reason: `work item ${item('ready').id} exists`,
      id: item('ready').id,
    });
    const last = item('completed', MAX_ISSUE_GENERATIONS);
    expect(decideIssueEvent('reopened', open, last, settings)).toEqual({
      kind: 'ignore',
      reason: `the issue already had ${MAX_ISSUE_GENERATIONS} work items`,
      id: last.id,
    });
  });
});
