import type { Clock } from '#core/ports';
import type { WebhookRepository } from '#core/webhooks/ports';
import type { Webhook } from '#core/webhooks/webhook';

/**
 * The active webhooks a process read last, kept for `ttlMs`: every stream batch asks, and a
 * deployment has few webhooks that change seldom. A new, paused or deleted webhook takes effect
 * within that time (the sender drops deliveries of deleted or paused ones meanwhile).
 */
export class ActiveWebhooks {
  private kept: { readonly value: Promise<Webhook[]>; readonly until: number } | undefined;

  constructor(
    private readonly repository: Pick<WebhookRepository, 'active'>,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  /** The active webhooks, read again once the kept list is older than the TTL. */
  read(): Promise<Webhook[]> {
    const now = this.clock.now().getTime();
    if (this.kept && now < this.kept.until) return this.kept.value;
    const value = this.repository.active();
    this.kept = { value, until: now + this.ttlMs };
    // A failed read is not kept: the next batch reads again.
    value.catch(() => {
      this.kept = undefined;
    });
    return value;
  }
}
