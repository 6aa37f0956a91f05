import type { EscalationRequest } from '#core/escalations/escalation';
import type { EscalationPublisher } from '#core/ports';
import type { QueuePublisher } from './queue-publisher';

/**
 * Escalation requests onto the `escalations` queue, one message each, sent together: the
 * consumer records each on its own (and de-duplicates), so a message that fails never holds
 * back the others.
 */
export const createEscalationPublisher = (queue: QueuePublisher<EscalationRequest>): EscalationPublisher => ({
  publish: async (requests) => {
    await Promise.all(requests.map((request) => queue.send(request)));
  },
});
