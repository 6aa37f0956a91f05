/**
 * An escalation publisher for use case tests: it keeps what was published, and `drain()` hands
 * the requests over (e.g. to `recordEscalation`) the way the queue would.
 */
import type { EscalationRequest } from '#core/escalations/escalation';
import type { EscalationPublisher } from '#core/ports';

/** A publisher that keeps every request until drained. */
export interface CollectingPublisher extends EscalationPublisher {
  /** Every request published so far and not drained yet. */
  readonly published: readonly EscalationRequest[];
  /** Takes the kept requests (oldest first) and forgets them. */
  drain(): EscalationRequest[];
}

/** A fresh {@link CollectingPublisher}. */
export const collectingPublisher = (): CollectingPublisher => {
  let kept: EscalationRequest[] = [];
  return {
    get published() {
      return kept;
    },
    publish: async (requests) => {
      kept = [...kept, ...requests];
    },
    drain: () => {
      const taken = kept;
      kept = [];
      return taken;
    },
  };
};
