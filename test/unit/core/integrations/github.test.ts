import { describe, expect, it } from 'vitest';
import {
  decideIssueEvent,
  type IssueItem,
  issueWorkId,
  issueWorkIds,
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
