import { DeliveryMessage } from '#app/schemas/webhooks';
import { deliverWebhook } from '#app/use-cases/webhooks/deliver';
import type { DeliveryRequest } from '#core/webhooks/ports';
import { queueConsumer } from '../shared/queue';
import { webhookDeps } from '../shared/wiring';

/**
 * The `webhooks` queue consumer: each message is one attempt of one delivery, POSTed signed. A
 * failed attempt hides its message for its backoff and fails it (it comes back); after the last
 * attempt the message goes on to the DLQ.
 */
export const handler = queueConsumer<DeliveryRequest>({
  queue: 'webhooks',
  schema: DeliveryMessage,
  handle: async ([request], [record]) => {
    if (request && record) await deliverWebhook(webhookDeps(), request, record.receiptHandle);
  },
});
