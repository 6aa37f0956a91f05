import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EscalationMessage } from '#app/schemas/escalations';
import { recordEscalation } from '#app/use-cases/record-escalation';
import type { EscalationKind } from '#core/escalations/escalation';
import { metrics } from '../shared/observability';
import { queueConsumer } from '../shared/queue';
import { deps } from '../shared/wiring';

/**
 * One escalation recorded, by kind (a fixed set), published at once on a single-metric object of
 * its own: the requests of one batch are recorded side by side, and a dimension added to a shared
 * object would relabel another's.
 */
const countRecorded = (kind: EscalationKind): void => {
  const single = metrics.singleMetric();
  single.addDimension('kind', kind);
  single.addMetric('escalations.recorded', MetricUnit.Count, 1);
};

/**
 * The `escalations` queue consumer: each request recorded on its own (at most one open per item
 * and kind; the `escalation` audit event reaches live clients through the events stream). A
 * request whose item moved on records nothing; a body that is no request fails alone and ends
 * in the DLQ. Each escalation opened counts once in `escalations.recorded`; a request that
 * records nothing (a redelivery, an item that moved on) counts nothing.
 */
export const handler = queueConsumer<EscalationMessage>({
  queue: 'escalations',
  schema: EscalationMessage,
  facts: (request) => ({ work: request.workId }),
  handle: async ([request]) => {
    if (!request) return;
    const opened = await recordEscalation(deps(), request);
    if (opened) countRecorded(opened.kind);
  },
});
