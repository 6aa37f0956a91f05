/**
 * Webhooks and their deliveries, rows of the Meta table listed through its sparse index:
 * webhooks in one partition oldest first, each webhook's deliveries in their own partition read
 * newest first. Delivery records expire by the table's TTL.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor, isKeyOf, isObject } from '#core/cursor';
import type { Page, PageRequest } from '#core/ports';
import type { DeliveryStore, WebhookRepository } from '#core/webhooks/ports';
import { type Delivery, type Webhook, WebhookStatus } from '#core/webhooks/webhook';
import { isConditionFailure, storeCall, translateStoreError } from './errors';
import { Expression } from './expression';
import {
  deliveriesPartition,
  deliveryKey,
  PK,
  TokenIndex,
  tokenSortKey,
  WEBHOOKS_PARTITION,
  webhookKey,
} from './keys';
import { collect, indexEntryKey, type QuerySpec, type StoredItem } from './query';
import { EXPIRES_AT } from './records';
import { metaTable, tableName } from './tables';

/** How long a delivery record is kept. */
export const DELIVERY_RETENTION_DAYS = 14;

const SECONDS_PER_DAY = 86_400;

const STORAGE = new Set<string>([PK, TokenIndex.partitionKey, TokenIndex.sortKey, EXPIRES_AT]);

const withoutStorage = (item: StoredItem): Record<string, unknown> =>
  Object.fromEntries(Object.entries(item).filter(([name]) => !STORAGE.has(name)));

/** The stored form of a webhook. */
export const webhookToItem = (webhook: Webhook): StoredItem => ({
  ...webhook,
  ...webhookKey(webhook.id),
  [TokenIndex.partitionKey]: WEBHOOKS_PARTITION,
  [TokenIndex.sortKey]: tokenSortKey(webhook.createdAt, webhook.id),
});

/** The webhook a stored item holds. */
export const webhookFromItem = (item: StoredItem): Webhook => withoutStorage(item) as unknown as Webhook;

const deliveryToItem = (delivery: Delivery): StoredItem => ({
  ...delivery,
  ...deliveryKey(delivery.webhookId, delivery.id),
  [TokenIndex.partitionKey]: deliveriesPartition(delivery.webhookId),
  [TokenIndex.sortKey]: tokenSortKey(delivery.at, delivery.id),
  [EXPIRES_AT]: Math.ceil(Date.parse(delivery.updatedAt) / 1000) + DELIVERY_RETENTION_DAYS * SECONDS_PER_DAY,
});

const deliveryFromItem = (item: StoredItem): Delivery => withoutStorage(item) as unknown as Delivery;

const isIndexPosition =
  (partition: string) =>
  (value: unknown): value is { k: Record<string, string> } =>
    isObject(value) &&
    isKeyOf(value.k, [PK, TokenIndex.partitionKey, TokenIndex.sortKey]) &&
    value.k[TokenIndex.partitionKey] === partition;

/** One page of an index partition (`limit` + 1 entries: the extra one tells a next page exists). */
const pageOf = async <T>(
  doc: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
  page: PageRequest,
  options: { readonly newestFirst: boolean; readonly from: (item: StoredItem) => T },
): Promise<Page<T>> => {
  const scope = { list: partition };
  const start = decodeCursor(page.cursor, scope, isIndexPosition(partition));
  const expression = new Expression();
  const spec: QuerySpec = {
    TableName: tableName,
    IndexName: TokenIndex.indexName,
    KeyConditionExpression: `${expression.name(TokenIndex.partitionKey)} = ${expression.value(partition)}`,
    ScanIndexForward: !options.newestFirst,
    ...expression.attributes(),
  };
  const { items: entries } = await collect(doc, spec, page.limit + 1, { startKey: start?.k });
  const kept = entries.slice(0, page.limit);
  const last = kept.at(-1);
  const items = kept.map(options.from);
  return entries.length > page.limit && last !== undefined
    ? { items, nextCursor: encodeCursor(scope, { k: indexEntryKey(last, TokenIndex) }) }
    : { items };
};

const getItem = async (
  doc: DynamoDBDocumentClient,
  tableName: string,
  key: Record<string, string>,
): Promise<StoredItem | undefined> =>
  (
    await storeCall('GetItem', () =>
      doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true })),
    )
  ).Item;

/** Most webhooks one fan-out reads (a deployment has a handful; this bounds the read). */
const MAX_ACTIVE_READ = 1000;

/** Webhooks, read strongly consistent. */
export class DynamoWebhookRepository implements WebhookRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(id: string): Promise<Webhook | undefined> {
    const item = await getItem(this.doc, this.tableName, webhookKey(id));
    return item ? webhookFromItem(item) : undefined;
  }

  list(page: PageRequest): Promise<Page<Webhook>> {
    return pageOf(this.doc, this.tableName, WEBHOOKS_PARTITION, page, {
      newestFirst: false,
      from: webhookFromItem,
    });
  }

  async active(): Promise<Webhook[]> {
    const expression = new Expression();
    const spec: QuerySpec = {
      TableName: this.tableName,
      IndexName: TokenIndex.indexName,
      KeyConditionExpression: `${expression.name(TokenIndex.partitionKey)} = ${expression.value(WEBHOOKS_PARTITION)}`,
      ...expression.attributes(),
    };
    const { items } = await collect(this.doc, spec, MAX_ACTIVE_READ, {
      accept: (item) => item.status === WebhookStatus.Active,
    });
    return items.map(webhookFromItem);
  }
}

/** Delivery records of webhooks. */
export class DynamoDeliveryStore implements DeliveryStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(webhookId: string, id: string): Promise<Delivery | undefined> {
    const item = await getItem(this.doc, this.tableName, deliveryKey(webhookId, id));
    return item ? deliveryFromItem(item) : undefined;
  }

  async create(delivery: Delivery): Promise<boolean> {
    const expression = new Expression();
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: deliveryToItem(delivery),
          ConditionExpression: `attribute_not_exists(${expression.name(PK)})`,
          ...expression.attributes(),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw translateStoreError(error, 'PutItem');
    }
  }

  async put(delivery: Delivery): Promise<void> {
    await storeCall('PutItem', () =>
      this.doc.send(new PutCommand({ TableName: this.tableName, Item: deliveryToItem(delivery) })),
    );
  }

  list(webhookId: string, page: PageRequest): Promise<Page<Delivery>> {
    return pageOf(this.doc, this.tableName, deliveriesPartition(webhookId), page, {
      newestFirst: true,
      from: deliveryFromItem,
    });
  }
}

/** The webhook store and the delivery records, on the Meta table named by `tablePrefix`. */
export const createWebhookStores = (
  client: DynamoDBClient,
  tablePrefix: string,
): { webhooks: DynamoWebhookRepository; deliveries: DynamoDeliveryStore } => {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const table = tableName(tablePrefix, metaTable);
  return {
    webhooks: new DynamoWebhookRepository(doc, table),
    deliveries: new DynamoDeliveryStore(doc, table),
  };
};
