import type { GithubOutcome } from '#app/schemas/github';
import { receiveGithubEvent } from '#app/use-cases/integrations/receive-github-event';
import { httpRoute } from '../shared/http';
import { integrationRoutes } from '../shared/routes/integrations';
import { deps } from '../shared/wiring';

/** The status of each outcome: what GitHub's delivery log shows. */
const STATUS_OF: Readonly<Record<GithubOutcome, number>> = {
  pong: 200,
  cancelled: 200,
  created: 201,
  ignored: 202,
};

/** `POST /v1/integrations/github` (signature checked by the chain): the delivery's receipt. */
export const handler = httpRoute(integrationRoutes.githubWebhook, async ({ body, header, requestId }) => {
  const receipt = await receiveGithubEvent(deps(), { event: header('x-github-event'), body, requestId });
  return { status: STATUS_OF[receipt.outcome], body: receipt };
});
