/**
 * GitHub's webhook payloads as `POST /v1/integrations/github` reads them: only the fields the
 * service uses are described, and every object stays open, since GitHub adds fields over time.
 */
import type { Static } from '@sinclair/typebox';
import { Type } from '#app/schemas/type';
import { literalUnion } from './common';
import { WorkView } from './views';

const Open = { additionalProperties: true } as const;

/** An issue (`issue` of an `issues` event). */
export const GithubIssue = Type.Object(
  {
    number: Type.Integer({ minimum: 1 }),
    title: Type.String(),
    body: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    html_url: Type.String({ format: 'uri' }),
    state: Type.String(),
    labels: Type.Optional(Type.Array(Type.Object({ name: Type.String() }, Open), { maxItems: 1000 })),
  },
  Open,
);

/** The repository of an event. */
export const GithubRepository = Type.Object(
  { id: Type.Integer(), full_name: Type.String({ pattern: '^[^/]+/[^/]+$' }) },
  Open,
);

/** Any webhook payload: `ping` carries `zen` and `hook_id`, `issues` `action`, `issue` and `repository`. */
export const GithubWebhookBody = Type.Object(
  {
    action: Type.Optional(Type.String({ maxLength: 100 })),
    issue: Type.Optional(GithubIssue),
    repository: Type.Optional(GithubRepository),
    zen: Type.Optional(Type.String()),
    hook_id: Type.Optional(Type.Integer()),
  },
  { ...Open, description: 'A GitHub webhook payload (`application/json`), as GitHub sends it.' },
);
export type GithubWebhookBody = Static<typeof GithubWebhookBody>;

/** What became of a delivery. */
export const GITHUB_OUTCOMES = ['pong', 'created', 'cancelled', 'ignored'] as const;
export type GithubOutcome = (typeof GITHUB_OUTCOMES)[number];

/** The answer to a delivery (GitHub shows it in the webhook's delivery log). */
export const GithubReceipt = Type.Object(
  {
    outcome: literalUnion(GITHUB_OUTCOMES),
    reason: Type.Optional(Type.String({ description: 'Why nothing was done (`ignored`).' })),
    workId: Type.Optional(Type.String({ description: 'The issue item the delivery concerned.' })),
    item: Type.Optional(WorkView),
  },
  { additionalProperties: false },
);
export type GithubReceipt = Static<typeof GithubReceipt>;
