import { auditEvent } from '#core/audit';
import { ValidationError } from '#core/errors';
import { Action } from '#core/events';
import { EntityType } from '#core/model';
import { ALL_EVENTS, type Webhook, WebhookStatus } from '#core/webhooks/webhook';
import type { RequestContext } from '../../context';
import type { CreateWebhookBody, WebhookView } from '../../schemas/webhooks';
import { changeContextOf } from '../shared/context';
import type { WebhookDeps } from './deps';
import { presentWebhook, webhookSnapshot } from './present';

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Why `url` may not receive deliveries, or `undefined` when it may. */
const urlProblem = (url: string, allowLocalHttp: boolean): string | undefined => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute URL';
  }
  if (parsed.username !== '' || parsed.password !== '') return 'must not hold credentials';
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && allowLocalHttp && LOOPBACK_HOSTS.has(parsed.hostname)) return undefined;
  return allowLocalHttp ? 'must be https (or http to localhost)' : 'must be https';
};

/**
 * `POST /v1/webhooks` (admin): register a receiver of live events, active at once.
 * 1. refuse a URL that is not https (http only to localhost on the local stage), and `"*"`
 * beside other types; 2. commit it with a `webhook.created` event (never the secret).
 * @throws ValidationError
 */
export const createWebhook = async (
  deps: Pick<WebhookDeps, 'clock' | 'ids' | 'uow' | 'webhookPolicy'>,
  ctx: RequestContext,
  body: CreateWebhookBody,
): Promise<WebhookView> => {
  const problem = urlProblem(body.url, deps.webhookPolicy.allowLocalHttp);
  if (problem) throw new ValidationError([{ path: '/url', message: problem }]);
  if (body.events.includes(ALL_EVENTS) && body.events.length > 1) {
    throw new ValidationError([{ path: '/events', message: `"${ALL_EVENTS}" stands alone` }]);
  }
  const cctx = changeContextOf(deps, ctx);
  const webhook: Webhook = {
    id: `wh_${deps.ids.workId().replace(/^[a-z]+_/, '')}`,
    url: body.url,
    events: [...body.events],
    ...(body.team !== undefined && { team: body.team }),
    secret: body.secret,
    status: WebhookStatus.Active,
    createdAt: cctx.now.toISOString(),
    consecutiveFailures: 0,
    pauses: 0,
    version: 1,
  };
  await deps.uow.commit({
    writes: [{ kind: 'webhook', webhook, expectedVersion: null }],
    events: [
      auditEvent(cctx, {
        action: Action.WebhookCreated,
        entityType: EntityType.Webhook,
        entityId: webhook.id,
        seq: webhook.version,
        ...(webhook.team !== undefined && { team: webhook.team }),
        after: webhookSnapshot(webhook),
      }),
    ],
  });
  return presentWebhook(webhook);
};
