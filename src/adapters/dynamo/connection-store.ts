/**
 * WebSocket connections and their subscriptions in the Connections table. A connection is one
 * partition: its record (`sk = CONNECTION`) and one row per joined channel (`sk = CHANNEL#<name>`),
 * the latter indexed by channel (`byChannel`, keys only), so a channel's subscribers are one Query
 * and forgetting a connection is one Query plus deletes. Every row carries the connection's TTL.
 */
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { type CursorScope, decodeCursor, encodeCursor, isKeyOf, isObject } from '#core/cursor';
import { UnavailableError } from '#core/errors';
import type { Page } from '#core/ports';
import type { Connection, ConnectionStore } from '#core/realtime/ports';
import { storeCall } from './errors';
import { Expression } from './expression';
import { PK, SK } from './keys';
import { EXPIRES_AT } from './records';
import { connectionsTable } from './tables';

/** DynamoDB takes at most this many writes per BatchWriteItem. */
const BATCH_WRITE_LIMIT = 25;
/** A batch write's unprocessed items are tried again this many times. */
const BATCH_WRITE_RETRIES = 5;

const CONNECTION_SK = 'CONNECTION';
const CHANNEL_PREFIX = 'CHANNEL#';

const byChannel = (() => {
  const index = connectionsTable.indexes.find((candidate) => candidate.indexName === 'byChannel');
  if (!index?.sortKey) throw new Error('The Connections table has no byChannel index with a sort key.');
  return { indexName: index.indexName, partitionKey: index.partitionKey.name, sortKey: index.sortKey.name };
})();

/** The partition of one connection. */
export const connectionPartition = (id: string): string => `CONN#${id}`;

/** Primary key of a connection's record. */
export const connectionKey = (id: string) => ({ [PK]: connectionPartition(id), [SK]: CONNECTION_SK });

/** Primary key of one subscription of a connection. */
export const subscriptionKey = (id: string, channel: string) => ({
  [PK]: connectionPartition(id),
  [SK]: `${CHANNEL_PREFIX}${channel}`,
});

const epochSeconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

/** Where a subscriber list stopped: the index key of the last entry returned. */
interface SubscriberPosition {
  readonly k: Record<string, string>;
}

/** The attributes of a `byChannel` index key: the table's key and the index's. */
const SUBSCRIBER_KEY = [...new Set([PK, SK, byChannel.partitionKey, byChannel.sortKey])];

const isSubscriberPosition = (value: unknown): value is SubscriberPosition =>
  isObject(value) && isKeyOf(value.k, SUBSCRIBER_KEY);

/** The list a subscriber cursor belongs to: one channel's subscribers. */
const subscribersScope = (channel: string): CursorScope => ({
  list: 'connections.byChannel',
  filters: { channel },
});

/** The Connections table behind the {@link ConnectionStore} port. */
export class DynamoConnectionStore implements ConnectionStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async add(connection: Connection, channels: readonly string[]): Promise<void> {
    const { expiresAt, ...rest } = connection;
    const ttl = epochSeconds(expiresAt);
    await this.write([
      { PutRequest: { Item: { ...rest, ...connectionKey(connection.id), [EXPIRES_AT]: ttl } } },
      ...channels.map((channel) => ({
        PutRequest: { Item: this.subscriptionItem(connection.id, channel, ttl) },
      })),
    ]);
  }

  async get(id: string): Promise<Connection | undefined> {
    const answer = await storeCall('GetItem', () =>
      this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: connectionKey(id), ConsistentRead: true }),
      ),
    );
    const item = answer.Item;
    if (!item) return undefined;
    return {
      id: String(item.id),
      principal: item.principal as Connection['principal'],
      ...(typeof item.agentTeam === 'string' && { agentTeam: item.agentTeam }),
      connectedAt: String(item.connectedAt),
      expiresAt: new Date(Number(item[EXPIRES_AT]) * 1000).toISOString(),
    };
  }

  async subscribe(id: string, channels: readonly string[]): Promise<void> {
    const connection = await this.get(id);
    // A connection already forgotten (closed meanwhile) gains no rows that nobody would remove.
    if (!connection) return;
    const ttl = epochSeconds(connection.expiresAt);
    await this.write(
      channels.map((channel) => ({ PutRequest: { Item: this.subscriptionItem(id, channel, ttl) } })),
    );
  }

  async unsubscribe(id: string, channels: readonly string[]): Promise<void> {
    await this.write(channels.map((channel) => ({ DeleteRequest: { Key: subscriptionKey(id, channel) } })));
  }

  async channelsOf(id: string): Promise<string[]> {
    const keys = await this.partitionKeys(id);
    return keys
      .map((key) => key[SK] ?? '')
      .filter((sk) => sk.startsWith(CHANNEL_PREFIX))
      .map((sk) => sk.slice(CHANNEL_PREFIX.length));
  }

  async remove(id: string): Promise<void> {
    const keys = await this.partitionKeys(id);
    await this.write(keys.map((key) => ({ DeleteRequest: { Key: key } })));
  }

  async subscribersOf(
    channel: string,
    page: { readonly limit: number; readonly cursor?: string },
  ): Promise<Page<string>> {
    const start = decodeCursor(page.cursor, subscribersScope(channel), isSubscriberPosition);
    const expression = new Expression();
    const answer = await storeCall('Query', () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: byChannel.indexName,
          KeyConditionExpression: `${expression.name(byChannel.partitionKey)} = ${expression.value(channel)}`,
          ...expression.attributes(),
          Limit: page.limit,
          ExclusiveStartKey: start?.k,
        }),
      ),
    );
    const items = (answer.Items ?? []).map((item) => String(item[byChannel.sortKey]));
    const last = answer.LastEvaluatedKey;
    return last && isKeyOf(last, SUBSCRIBER_KEY)
      ? { items, nextCursor: encodeCursor(subscribersScope(channel), { k: last }) }
      : { items };
  }

  private subscriptionItem(id: string, channel: string, ttl: number): Record<string, unknown> {
    return {
      ...subscriptionKey(id, channel),
      [byChannel.partitionKey]: channel,
      [byChannel.sortKey]: id,
      [EXPIRES_AT]: ttl,
    };
  }

  /** Every key of a connection's partition (record and subscriptions). */
  private async partitionKeys(id: string): Promise<Record<string, string>[]> {
    const keys: Record<string, string>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const expression = new Expression();
      const answer = await storeCall('Query', () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: `${expression.name(PK)} = ${expression.value(connectionPartition(id))}`,
            ProjectionExpression: `${expression.name(PK)}, ${expression.name(SK)}`,
            ...expression.attributes(),
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of answer.Items ?? []) keys.push({ [PK]: String(item[PK]), [SK]: String(item[SK]) });
      startKey = answer.LastEvaluatedKey;
    } while (startKey);
    return keys;
  }

  /** Writes in batches of 25, retrying what DynamoDB left unprocessed. */
  private async write(requests: readonly Record<string, unknown>[]): Promise<void> {
    for (let at = 0; at < requests.length; at += BATCH_WRITE_LIMIT) {
      let pending = requests.slice(at, at + BATCH_WRITE_LIMIT);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > BATCH_WRITE_RETRIES) {
          throw new UnavailableError('The store left connection writes unprocessed; retry shortly.');
        }
        const answer = await storeCall('BatchWriteItem', () =>
          this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending as never } })),
        );
        pending = (answer.UnprocessedItems?.[this.tableName] ?? []) as Record<string, unknown>[];
        if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      }
    }
  }
}
