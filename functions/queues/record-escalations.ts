import { EscalationMessage } from '#app/schemas/escalations';
import { recordEscalation } from '#app/use-cases/record-escalation';
import { queueConsumer } from '../shared/queue';
import { deps } from '../shared/wiring';

/**
 * The `escalations` queue consumer: each request recorded on its own (at most one open per item
 * and kind; the `escalation` audit event reaches live clients through the events stream). A
 * request whose item moved on records nothing; a body that is no request fails alone and ends
 * in the DLQ.
 */
export const handler = queueConsumer<EscalationMessage>({
  queue: 'escalations',
  schema: EscalationMessage,
  facts: (request) => ({ work: request.workId }),
  handle: async ([request]) => {
    if (request) await recordEscalation(deps(), request);
  },
});
