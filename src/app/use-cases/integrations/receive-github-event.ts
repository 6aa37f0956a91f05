import { ValidationError } from '#core/errors';
import {
  decideIssueEvent,
  type IssueItem,
  type IssueRepository,
  issueWorkId,
  issueWorkIds,
  plainTextOf,
  priorityOfLabels,
} from '#core/integrations/github';
import type { Ports } from '#core/ports';
import { type Principal, Role } from '#core/roles';
import type { RequestContext } from '../../context';
import type { GithubReceipt, GithubWebhookBody } from '../../schemas/github';
import { CreateWorkBody } from '../../schemas/work';
import { currentSettings } from '../../settings';
import { cancelWork } from '../cancel-work';
import { createWorkWithId } from '../create-work';

/** The id audit events name as the actor of every change an issue event makes. */
export const GITHUB_INTEGRATION_ID = 'integration:github';

/**
 * Who the integration acts as: an admin (it creates in the configured team and cancels what it
 * created), under its own id, so the audit log tells its changes apart.
 */
const INTEGRATION: Principal = { role: Role.Admin, id: GITHUB_INTEGRATION_ID };

/** GitHub's event names (`X-GitHub-Event`) the service answers. */
export const GithubEvent = { Ping: 'ping', Issues: 'issues' } as const;

/** One delivery of a GitHub webhook whose signature was checked. */
export interface GithubDelivery {
  /** `X-GitHub-Event`. */
  readonly event: string | undefined;
  readonly body: GithubWebhookBody;
  readonly requestId: string;
}

/** What receiving an issue event uses: what creating and cancelling work use. */
export type GithubDeps = Parameters<typeof createWorkWithId>[0] & Parameters<typeof cancelWork>[0];

const TITLE_LENGTH = CreateWorkBody.properties.title.maxLength ?? 200;
const DESCRIPTION_LENGTH = CreateWorkBody.properties.description.maxLength ?? 10_000;

/** The issue's newest item, numbered by generation. */
const latestItem = async (
  deps: Pick<Ports, 'work'>,
  repository: IssueRepository,
  issueNumber: number,
): Promise<IssueItem | undefined> => {
  const ids = issueWorkIds(repository, issueNumber);
  const found = new Map((await deps.work.getMany(ids)).map((item) => [item.id, item]));
  for (let index = ids.length - 1; index >= 0; index -= 1) {
    const item = found.get(ids[index] ?? '');
    if (item) return { id: item.id, status: item.status, generation: index + 1 };
  }
  return undefined;
};

const ignored = (reason: string, workId?: string): GithubReceipt => ({
  outcome: 'ignored',
  reason,
  ...(workId === undefined ? {} : { workId }),
});

/**
 * `POST /v1/integrations/github`, after its signature was checked: `ping` answers `pong`;
 * an `issues` event is decided by the issue rules (`#core/integrations/github`) on the issue's
 * newest item and the `github` settings, then carried out through `createWork` (idempotent on
 * the issue's item id) or `cancelWork`, as the integration's admin principal; other events are
 * ignored.
 * @throws ValidationError when the header or an `issues` payload lacks what the rules read.
 * @throws ForbiddenError, UnknownDependencyError, InvalidStateError from the use cases it calls.
 */
export const receiveGithubEvent = async (
  deps: GithubDeps,
  delivery: GithubDelivery,
): Promise<GithubReceipt> => {
  const { event, body } = delivery;
  if (event === undefined || event === '') {
    throw new ValidationError([{ path: '/headers/x-github-event', message: 'is required' }]);
  }
  if (event === GithubEvent.Ping) return { outcome: 'pong' };
  if (event !== GithubEvent.Issues) return ignored(`event "${event}" is not acted on`);
  const { action, issue, repository } = body;
  if (action === undefined || issue === undefined || repository === undefined) {
    throw new ValidationError(
      (['action', 'issue', 'repository'] as const)
        .filter((field) => body[field] === undefined)
        .map((field) => ({ path: `/${field}`, message: 'is required in an issues event' })),
    );
  }
  const repo: IssueRepository = { id: repository.id, fullName: repository.full_name };
  const labels = (issue.labels ?? []).map((label) => label.name);
  const { github } = await currentSettings(deps);
  const latest = await latestItem(deps, repo, issue.number);
  const decision = decideIssueEvent(
    action,
    { number: issue.number, state: issue.state, labels },
    latest,
    github,
  );
  const ctx: RequestContext = { principal: INTEGRATION, requestId: delivery.requestId };
  if (decision.kind === 'ignore') return ignored(decision.reason, decision.id);
  if (decision.kind === 'cancel') {
    const item = await cancelWork(deps, ctx, {
      id: decision.id,
      reason: `GitHub issue ${repository.full_name}#${issue.number} was closed.`,
    });
    return { outcome: 'cancelled', workId: item.id, item };
  }
  const id = issueWorkId(repo, issue.number, decision.generation);
  const priority = priorityOfLabels(labels, github.priorityLabels);
  const description = plainTextOf(issue.body ?? '', DESCRIPTION_LENGTH);
  const { item, created } = await createWorkWithId(
    deps,
    ctx,
    {
      type: github.type,
      title: plainTextOf(issue.title, TITLE_LENGTH) || `Issue #${issue.number}`,
      ...(description === '' ? {} : { description }),
      team: github.team ?? '',
      ...(priority === undefined ? {} : { priority }),
      ...(github.capabilities.length === 0 ? {} : { requiredCapabilities: [...github.capabilities] }),
      metadata: {
        source: {
          type: 'github',
          url: issue.html_url,
          number: issue.number,
          repository: repository.full_name,
        },
      },
    },
    id,
  );
  return created
    ? { outcome: 'created', workId: item.id, item }
    : ignored(`work item ${item.id} exists`, item.id);
};
