import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '#core/ports';
import { isConditionFailure, storeCall, translateStoreError } from './errors';
import { Expression } from './expression';
import { auditDaysKey, auditYearsKey } from './keys';

/** A day attribute is `d<yyyy-mm-dd>`, a year attribute `y<yyyy>`; their value is when the last event of it expires. */
const DAY_PREFIX = 'd';
const YEAR_PREFIX = 'y';

/** A marker written within this long of a later expiry is not written again by this process. */
const REFRESH_SECONDS = 3600;

/**
 * The days that hold audit events, so a listing by time reads only days that hold events,
 * however old, instead of walking every calendar day back to a horizon. Kept in the Meta table:
 * one item per year naming its days, one item naming the years; each entry holds the latest
 * expiry (epoch seconds) of the events of its day or year, so expired days drop out without a
 * cleanup. Markers are written before the events (a failed change leaves a marker of an empty
 * day, which costs one empty read), and each process remembers what it wrote.
 */
export class DynamoAuditDays {
  private readonly written = new Map<string, number>();

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  /** Records that `day` (`yyyy-mm-dd`) holds an event kept until `expiresAt` (epoch seconds). */
  async mark(days: ReadonlyMap<string, number>): Promise<void> {
    const years = new Map<string, number>();
    for (const [day, expiresAt] of days) {
      const year = day.slice(0, 4);
      years.set(year, Math.max(years.get(year) ?? 0, expiresAt));
    }
    await Promise.all([
      ...[...days].map(([day, expiresAt]) =>
        this.raise(auditDaysKey(day.slice(0, 4)), `${DAY_PREFIX}${day}`, expiresAt),
      ),
      ...[...years].map(([year, expiresAt]) =>
        this.raise(auditYearsKey(), `${YEAR_PREFIX}${year}`, expiresAt),
      ),
    ]);
  }

  /** Days holding unexpired events, newest first, from `newest` back to `oldest` (both `yyyy-mm-dd`, inclusive). */
  async *days(newest: string, oldest: string): AsyncGenerator<string> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const years = this.live(await this.read(auditYearsKey()), YEAR_PREFIX, now)
      .filter((year) => year <= newest.slice(0, 4) && year >= oldest.slice(0, 4))
      .sort()
      .reverse();
    for (const year of years) {
      const days = this.live(await this.read(auditDaysKey(year)), DAY_PREFIX, now)
        .filter((day) => day <= newest && day >= oldest)
        .sort()
        .reverse();
      yield* days;
    }
  }

  private live(item: Record<string, unknown>, prefix: string, now: number): string[] {
    return Object.entries(item)
      .filter(
        ([name, expiresAt]) => name.startsWith(prefix) && typeof expiresAt === 'number' && expiresAt > now,
      )
      .map(([name]) => name.slice(prefix.length));
  }

  private async read(key: Record<string, string>): Promise<Record<string, unknown>> {
    const answer = await storeCall('GetItem', () =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })),
    );
    return answer.Item ?? {};
  }

  /** Sets the entry to `expiresAt` unless it already holds a later one. */
  private async raise(key: Record<string, string>, attribute: string, expiresAt: number): Promise<void> {
    const cacheKey = `${Object.values(key).join()}/${attribute}`;
    if ((this.written.get(cacheKey) ?? 0) + REFRESH_SECONDS >= expiresAt) return;
    const expression = new Expression();
    const name = expression.name(attribute);
    const value = expression.value(expiresAt);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET ${name} = ${value}`,
          ConditionExpression: `attribute_not_exists(${name}) OR ${name} < ${value}`,
          ...expression.attributes(),
        }),
      );
    } catch (error) {
      // A failed condition means a later expiry is recorded already: nothing to raise.
      if (!isConditionFailure(error)) throw translateStoreError(error, 'UpdateItem');
    }
    this.written.set(cacheKey, expiresAt);
  }
}
