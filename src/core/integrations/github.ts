/**
 * GitHub issues as work items (`POST /v1/integrations/github`): which item an issue is, which
 * issues become items, their priority and text, and what each issue event does. Pure rules: the
 * use case reads the items these name and carries the decision out through the ordinary create
 * and cancel use cases.
 */
import type { GithubSettings } from '../settings';
import { PRIORITIES, type Priority, WorkStatus } from '../work/status';

/** The issue events acted on; any other `action` is answered and ignored. */
export const IssueAction = {
  Opened: 'opened',
  Labeled: 'labeled',
  Closed: 'closed',
  Reopened: 'reopened',
} as const;

/** The repository an issue belongs to, as GitHub's payload names it. */
export interface IssueRepository {
  /** GitHub's numeric id: stable across renames. */
  readonly id: number;
  /** `owner/name`. */
  readonly fullName: string;
}

/** What the rules read of an issue. */
export interface IssueFacts {
  readonly number: number;
  readonly state: string;
  readonly labels: readonly string[];
}

/** Ids longer than this are refused by the API (`WorkId`). */
const MAX_ID_LENGTH = 128;
/** How many items one issue may have (one per reopening after its item ended). */
export const MAX_ISSUE_GENERATIONS = 10;

/**
 * The id of an issue's item: `gh-<owner>.<repo>-<number>` in lower case (owners hold no dots, so
 * it is unambiguous), `-r<n>` added for the n-th item of a reopened issue; `gh-r<repository
 * id>-<number>` when that would not fit 128 characters.
 */
export const issueWorkId = (repository: IssueRepository, issueNumber: number, generation = 1): string => {
  const suffix = generation > 1 ? `-r${generation}` : '';
  const [owner = '', name = ''] = repository.fullName.toLowerCase().split('/');
  const safe = (part: string): string => part.replace(/[^a-z0-9_.-]/g, '-');
  const readable = `gh-${safe(owner).replace(/\./g, '-')}.${safe(name)}-${issueNumber}${suffix}`;
  return readable.length <= MAX_ID_LENGTH ? readable : `gh-r${repository.id}-${issueNumber}${suffix}`;
};

/** The ids an issue's items may have, first item first. */
export const issueWorkIds = (repository: IssueRepository, issueNumber: number): string[] =>
  Array.from({ length: MAX_ISSUE_GENERATIONS }, (_, index) =>
    issueWorkId(repository, issueNumber, index + 1),
  );

const sameLabel = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Whether an issue with these labels is work (GitHub compares label names without case). */
export const isWorkIssue = (labels: readonly string[], settings: Pick<GithubSettings, 'labels'>): boolean =>
  labels.some((label) => settings.labels.some((wanted) => sameLabel(label, wanted)));

/** The most urgent priority the issue's labels map to, or `undefined` when none does. */
export const priorityOfLabels = (
  labels: readonly string[],
  priorityLabels: GithubSettings['priorityLabels'],
): Priority | undefined => {
  const mapped = new Set(
    Object.entries(priorityLabels)
      .filter(([label]) => labels.some((name) => sameLabel(name, label)))
      .map(([, priority]) => priority),
  );
  return PRIORITIES.find((priority) => mapped.has(priority));
};

// Everything but tab and newline among the C0 controls, DEL and the C1 controls: the API refuses them in text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters removed
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Issue text as the API takes it: CRLF as LF, no other control characters, at most `maxLength`
 * code points (the cut marked with `…`).
 */
export const plainTextOf = (text: string, maxLength: number): string => {
  const clean = text.replace(/\r\n?/g, '\n').replace(CONTROL, '').replace(LONE_SURROGATE, '\ufffd');
  const points = [...clean];
  return points.length <= maxLength ? clean : `${points.slice(0, maxLength - 1).join('')}…`;
};

/** An item of the issue as the rules see it. */
export interface IssueItem {
  readonly id: string;
  readonly status: WorkStatus;
  /** 1 for the issue's first item. */
  readonly generation: number;
}

/** What an issue event does. */
export type IssueDecision =
  | { readonly kind: 'create'; readonly generation: number }
  | { readonly kind: 'cancel'; readonly id: string }
  | { readonly kind: 'ignore'; readonly reason: string; readonly id?: string };

const ENDED: readonly WorkStatus[] = [WorkStatus.Completed, WorkStatus.Cancelled];

/**
 * What an issue event does, given the issue's newest item (`latest`):
 * - `opened`, `labeled`: an open issue with a configured label and no item yet gets one;
 * - `reopened`: likewise, and when its newest item has ended (completed or cancelled) a new one;
 * - `closed`: its newest item is cancelled unless it has ended;
 * anything else, or an issue without a configured label, is ignored with the reason.
 */
export const decideIssueEvent = (
  action: string,
  issue: IssueFacts,
  latest: IssueItem | undefined,
  settings: Pick<GithubSettings, 'team' | 'labels'>,
): IssueDecision => {
  if (!Object.values<string>(IssueAction).includes(action)) {
    return { kind: 'ignore', reason: `issue action "${action}" is not acted on` };
  }
  if (settings.team === undefined) {
    return { kind: 'ignore', reason: 'no team is configured (github.team in PUT /v1/config)' };
  }
  const ended = latest !== undefined && ENDED.includes(latest.status);
  if (action === IssueAction.Closed) {
    if (latest === undefined) return { kind: 'ignore', reason: 'the issue has no work item' };
    if (ended) return { kind: 'ignore', reason: `work item ${latest.id} is ${latest.status}`, id: latest.id };
    return { kind: 'cancel', id: latest.id };
  }
  if (!isWorkIssue(issue.labels, settings)) {
    return { kind: 'ignore', reason: 'the issue has none of the configured labels' };
  }
  if (issue.state !== 'open') return { kind: 'ignore', reason: 'the issue is not open' };
  if (latest === undefined) return { kind: 'create', generation: 1 };
  if (action !== IssueAction.Reopened || !ended) {
    return { kind: 'ignore', reason: `work item ${latest.id} exists`, id: latest.id };
  }
  if (latest.generation >= MAX_ISSUE_GENERATIONS) {
    return {
      kind: 'ignore',
      reason: `the issue already had ${MAX_ISSUE_GENERATIONS} work items`,
      id: latest.id,
    };
  }
  return { kind: 'create', generation: latest.generation + 1 };
};
