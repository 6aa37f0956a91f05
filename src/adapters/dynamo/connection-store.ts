/**
 * WebSocket connections and their subscriptions in the Connections table. A connection is one
 * partition: its record (`sk = CONNECTION`) and one row per joined channel (`sk = CHANNEL#<name>`),
 * the latter indexed by channel (`byChannel`, keys only), so a channel's subscribers are one Query
 * and forgetting a connection is one Query plus deletes. Every row carries the connection's TTL.
 *
 * Each channel also has a version row (`pk = CHANNELVERSION#<name>`, outside the index): every
 * write that changes a channel's subscribers puts a new random token there, after the
 * subscription rows and before it resolves, so a reader that cached a channel's subscribers
 * learns with one strongly consistent read whether the list changed since.
 */
import { randomUUID } from 'node:crypto';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { type CursorScope, decodeCursor, encodeCursor, isKeyOf, isObject } from '#core/cursor';
import { UnavailableError } from '#core/errors';
import type { Page } from '#core/ports';
import type { ChannelVersion, Connection, ConnectionStore } from '#core/realtime/ports';
import { storeCall } from './errors';
import { Expression } from './expression';
import { PK, SK } from './keys';
import { EXPIRES_AT } from './records';
import { connectionsTable } from './tables';

/** DynamoDB takes at most this many writes per BatchWriteItem. */
const BATCH_WRITE_LIMIT = 25;
/** DynamoDB takes at most this many keys per BatchGetItem. */
const BATCH_GET_LIMIT = 100;
/**
 * A channel version row outlives every subscription written before it (connections live at most
 * about two hours); once it expires the channel reads as having no version, which differs from
 * any token a reader cached, so the reader reads the subscribers again.
 */
const VERSION_TTL_SECONDS = 86_400;
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

/** Primary key of a channel's version row. */
export const channelVersionKey = (channel: string) => ({
  [PK]: `CHANNELVERSION#${channel}`,
  [SK]: 'VERSION',
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
    await this.bumpVersions(channels);
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
    await this.bumpVersions(channels);
  }

  async unsubscribe(id: string, channels: readonly string[]): Promise<void> {
    await this.write(channels.map((channel) => ({ DeleteRequest: { Key: subscriptionKey(id, channel) } })));
    await this.bumpVersions(channels);
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
    await this.bumpVersions(
      keys
        .map((key) => key[SK] ?? '')
        .filter((sk) => sk.startsWith(CHANNEL_PREFIX))
        .map((sk) => sk.slice(CHANNEL_PREFIX.length)),
    );
  }

  async channelVersions(channels: readonly string[]): Promise<ReadonlyMap<string, ChannelVersion>> {
    const versions = new Map<string, ChannelVersion>();
    const names = [...new Set(channels)];
    for (let at = 0; at < names.length; at += BATCH_GET_LIMIT) {
      let keys: Record<string, unknown>[] = names
        .slice(at, at + BATCH_GET_LIMIT)
        .map((channel) => channelVersionKey(channel));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > BATCH_WRITE_RETRIES) {
          throw new UnavailableError('The store left channel version reads unprocessed; retry shortly.');
        }
        const answer = await storeCall('BatchGetItem', () =>
          this.doc.send(
            new BatchGetCommand({
              RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } },
            }),
          ),
        );
        for (const item of answer.Responses?.[this.tableName] ?? []) {
          const pk = String(item[PK]);
          versions.set(pk.slice(pk.indexOf('#') + 1), {
            token: String(item.token),
            changedAtMs: Number(item.changedAt),
          });
        }
        keys = answer.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
        if (keys.length > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      }
    }
    return versions;
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

  /**
   * Gives each channel a new version, after the subscription rows were written: a reader that
   * sees the new version and reads the index then finds them (as far as the index has caught up).
   */
  private async bumpVersions(channels: readonly string[]): Promise<void> {
    const changedAt = Date.now();
    const ttl = Math.floor(changedAt / 1000) + VERSION_TTL_SECONDS;
    await this.write(
      [...new Set(channels)].map((channel) => ({
        PutRequest: {
          Item: { ...channelVersionKey(channel), token: randomUUID(), changedAt, [EXPIRES_AT]: ttl },
        },
      })),
    );
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
