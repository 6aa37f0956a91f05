/** Events from other services, each authenticated by that service's signature of the raw body. */

import { escalationsQueue } from '#adapters/sqs/queues';
import { defineRoute, routesById } from '#app/route';
import { GithubReceipt, GithubWebhookBody } from '#app/schemas/github';

/** `POST /v1/integrations/github`. */
export const INTEGRATION_ROUTES = [
  defineRoute({
    id: 'githubWebhook',
    method: 'POST',
    path: '/v1/integrations/github',
    access: 'public',
    signedBy: 'github',
    summary:
      'GitHub issue webhooks (`X-GitHub-Event: issues` or `ping`; `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` with the configured secret): an open issue with a configured label becomes a work item in the `github.team` (id `gh-<owner>.<repo>-<number>`, `metadata.source` the issue), a closed one cancels it, a reopened one whose item ended gets a new one. 200 `pong` or `cancelled`, 201 `created`, 202 `ignored` with the reason; 403 while no secret is configured',
    body: GithubWebhookBody,
    maxBodyBytes: 1024 * 1024,
    grants: 'readWrite',
    sends: [escalationsQueue.id],
    responses: { 200: GithubReceipt, 201: GithubReceipt, 202: GithubReceipt },
    errors: ['unauthorized', 'forbidden', 'invalid_state'],
  }),
] as const;

/** These routes by id: a handler takes its route here, so its bundle builds no other area's schemas. */
export const integrationRoutes = routesById(INTEGRATION_ROUTES);
