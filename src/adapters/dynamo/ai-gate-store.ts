/**
 * The AI guard's shared state (token bucket, circuit breaker, daily token budget) as one row of
 * the Meta table. Every change is read-decide-write, conditional on the version read, so two
 * functions never both take the last request of the bucket.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { GateState, GateStore } from '#core/ai/gate';
import { UnavailableError } from '#core/errors';
import { isConditionFailure, storeCall } from './errors';
import { aiGateKey } from './keys';

const VERSION = 'version';
/** Tries of one change before giving up under contention. */
const ATTEMPTS = 8;

const stateOf = (item: Record<string, unknown>): GateState => ({
  tokens: Number(item.tokens),
  refilledAt: Number(item.refilledAt),
  failures: Number(item.failures),
  openUntil: Number(item.openUntil),
  day: String(item.day),
  spent: Number(item.spent),
});

/** The guard's state in the Meta table. */
export class DynamoGateStore implements GateStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async update<T>(change: (state: GateState | undefined) => { state?: GateState; result: T }): Promise<T> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      const read = await storeCall('GetItem', () =>
        this.doc.send(new GetCommand({ TableName: this.tableName, Key: aiGateKey(), ConsistentRead: true })),
      );
      const version = read.Item ? Number(read.Item[VERSION]) : 0;
      const decided = change(read.Item ? stateOf(read.Item) : undefined);
      if (decided.state === undefined) return decided.result;
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...aiGateKey(), ...decided.state, [VERSION]: version + 1 },
            ConditionExpression: read.Item ? '#v = :v' : 'attribute_not_exists(#v)',
            ExpressionAttributeNames: { '#v': VERSION },
            ...(read.Item ? { ExpressionAttributeValues: { ':v': version } } : {}),
          }),
        );
        return decided.result;
      } catch (error) {
        if (!isConditionFailure(error)) return storeCall('PutItem', () => Promise.reject(error));
      }
    }
    throw new UnavailableError('The AI guard is contended; retry shortly.');
  }
}
