import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { invalidCursor } from '#core/cursor';
import { UnavailableError } from '#core/errors';
import { StoreError, storeCall } from './errors';
import { type IndexKeys, PK } from './keys';

/** A stored item as the document client returns it. */
export type StoredItem = Record<string, unknown>;

/** A Query without its paging fields (the helpers below page). */
export type QuerySpec = Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey' | 'Select'>;

/** Items a query collected, and where it stopped. */
export interface Collected {
  readonly items: StoredItem[];
  /** Whether the range may hold more items after the last one collected. */
  readonly more: boolean;
}

/** Whether the store refused a Query's ExclusiveStartKey (not of this range, or not a key of it). */
const isStartKeyRefusal = (error: unknown): boolean => {
  if (!(error instanceof StoreError)) return false;
  const cause = error.cause as { name?: unknown; message?: unknown } | undefined;
  return cause?.name === 'ValidationException' && /start/i.test(String(cause.message));
};

/** Smallest page read when a filter may drop items, so a sparse match does not cost one call per item. */
const FILTERED_PAGE = 50;

/**
 * Reads a query's pages until `wanted` items were accepted or the range ends. A filter (in the
 * query or `accept`) may drop items after DynamoDB's `Limit`, so one page is not always enough.
 * Callers build cursors from the last item they keep, never from DynamoDB's LastEvaluatedKey.
 */
export const collect = async (
  doc: DynamoDBDocumentClient,
  spec: QuerySpec,
  wanted: number,
  options: { startKey?: Record<string, unknown>; accept?: (item: StoredItem) => boolean } = {},
): Promise<Collected> => {
  const filtered = spec.FilterExpression !== undefined || options.accept !== undefined;
  const items: StoredItem[] = [];
  let startKey = options.startKey;
  for (let first = true; items.length < wanted; first = false) {
    const remaining = wanted - items.length;
    const page = await storeCall('Query', () =>
      doc.send(
        new QueryCommand({
          ...spec,
          Limit: filtered ? Math.max(remaining, FILTERED_PAGE) : remaining,
          ExclusiveStartKey: startKey,
        }),
      ),
    ).catch((error: unknown) => {
      // The caller's start key came from a cursor: a key the store refuses is the cursor's fault.
      throw first && startKey !== undefined && isStartKeyRefusal(error) ? invalidCursor() : error;
    });
    for (const item of page.Items ?? []) {
      if (options.accept === undefined || options.accept(item)) items.push(item);
    }
    startKey = page.LastEvaluatedKey;
    if (startKey === undefined) break;
  }
  return { items: items.slice(0, wanted), more: items.length > wanted || startKey !== undefined };
};

/** How many items a query's range holds (`Select: COUNT`, every page). */
export const count = async (doc: DynamoDBDocumentClient, spec: QuerySpec): Promise<number> => {
  let total = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await storeCall('Query', () =>
      doc.send(new QueryCommand({ ...spec, Select: 'COUNT', ExclusiveStartKey: startKey })),
    );
    total += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return total;
};

/**
 * Calls `each` with the value of `attribute` of every item in a query's range, page after page
 * (`ProjectionExpression`: a keys-only index entry costs the same read units and a page holds
 * thousands of them).
 */
export const forEachValue = async (
  doc: DynamoDBDocumentClient,
  spec: QuerySpec,
  attribute: string,
  each: (value: unknown) => void,
): Promise<void> => {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await storeCall('Query', () =>
      doc.send(
        new QueryCommand({
          ...spec,
          ProjectionExpression: '#value',
          ExpressionAttributeNames: { ...spec.ExpressionAttributeNames, '#value': attribute },
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    for (const item of page.Items ?? []) each(item[attribute]);
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
};

/** BatchGetItem takes at most this many keys. */
const BATCH_GET_KEYS = 100;
/** Rounds for keys DynamoDB leaves unprocessed under load before giving up as unavailable. */
const UNPROCESSED_ROUNDS = 5;
const UNPROCESSED_BACKOFF_MS = 25;

const getChunk = async (
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
): Promise<StoredItem[]> => {
  const found: StoredItem[] = [];
  let pending = [...keys];
  for (let round = 0; pending.length > 0; round += 1) {
    if (round === UNPROCESSED_ROUNDS) {
      throw new UnavailableError('The store left reads unprocessed; retry shortly.');
    }
    if (round > 0) await new Promise((resolve) => setTimeout(resolve, UNPROCESSED_BACKOFF_MS * 2 ** round));
    const answer = await storeCall('BatchGetItem', () =>
      doc.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
      ),
    );
    found.push(...(answer.Responses?.[tableName] ?? []));
    pending = (answer.UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
  }
  return found;
};

/** The stored items among `keys` (strongly consistent), in no particular order; missing ones are left out. */
export const batchGet = async (
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
): Promise<StoredItem[]> => {
  const chunks: Record<string, unknown>[][] = [];
  for (let start = 0; start < keys.length; start += BATCH_GET_KEYS) {
    chunks.push(keys.slice(start, start + BATCH_GET_KEYS));
  }
  return (await Promise.all(chunks.map((chunk) => getChunk(doc, tableName, chunk)))).flat();
};

/** The position of an entry in an index (table key plus index keys): what ExclusiveStartKey takes. */
export const indexEntryKey = (entry: StoredItem, index: IndexKeys): Record<string, string> => ({
  [PK]: String(entry[PK]),
  [index.partitionKey]: String(entry[index.partitionKey]),
  [index.sortKey]: String(entry[index.sortKey]),
});

/** The stored items that keys-only index entries point at, in the entries' order (vanished ones left out). */
export const itemsOfEntries = async (
  doc: DynamoDBDocumentClient,
  tableName: string,
  entries: readonly StoredItem[],
): Promise<StoredItem[]> => {
  const stored = await batchGet(
    doc,
    tableName,
    entries.map((entry) => ({ [PK]: entry[PK] })),
  );
  const byKey = new Map(stored.map((item) => [String(item[PK]), item]));
  return entries
    .map((entry) => byKey.get(String(entry[PK])))
    .filter((item): item is StoredItem => item !== undefined);
};
