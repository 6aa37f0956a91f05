import {
  type AttributeDefinition,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type KeySchemaElement,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { type KeyAttribute, TABLES, type TableDefinition, tableName } from './tables';

/** How long to wait for a new table to become ACTIVE. */
const TABLE_WAIT_SECONDS = 120;

const keySchema = (partitionKey: KeyAttribute, sortKey?: KeyAttribute): KeySchemaElement[] => [
  { AttributeName: partitionKey.name, KeyType: 'HASH' },
  ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : []),
];

/** Each key attribute of the table and its indexes, once. */
const attributeDefinitions = (table: TableDefinition): AttributeDefinition[] => {
  const keys = [
    table.partitionKey,
    ...(table.sortKey ? [table.sortKey] : []),
    ...table.indexes.flatMap((index) => [index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])]),
  ];
  const unique = new Map(keys.map((key) => [key.name, key.type]));
  return [...unique].map(([name, type]) => ({ AttributeName: name, AttributeType: type }));
};

const nameOf = (error: unknown): unknown => (error as { name?: unknown } | null)?.name;

/** Creates one table as its definition says (on-demand, GSIs, stream) unless it exists. */
const createTable = async (client: DynamoDBClient, name: string, table: TableDefinition): Promise<void> => {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributeDefinitions(table),
        KeySchema: keySchema(table.partitionKey, table.sortKey),
        ...(table.indexes.length > 0 && {
          GlobalSecondaryIndexes: table.indexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: index.projection ?? 'ALL' },
          })),
        }),
        ...(table.stream && { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } }),
      }),
    );
  } catch (error) {
    // Another process created it first: the same definition, so it is what we want.
    if (nameOf(error) !== 'ResourceInUseException') throw error;
  }
};

/**
 * Adds the definition's indexes a table made by an earlier version lacks (a data directory kept
 * across an upgrade), one per call as DynamoDB requires, each waited for until ACTIVE.
 */
const addMissingIndexes = async (
  client: DynamoDBClient,
  name: string,
  table: TableDefinition,
): Promise<void> => {
  const describe = () => client.send(new DescribeTableCommand({ TableName: name }));
  const present = new Set(((await describe()).Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  for (const index of table.indexes.filter((candidate) => !present.has(candidate.indexName))) {
    await client.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: attributeDefinitions(table),
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: index.indexName,
              KeySchema: keySchema(index.partitionKey, index.sortKey),
              Projection: { ProjectionType: index.projection ?? 'ALL' },
            },
          },
        ],
      }),
    );
    const deadline = Date.now() + TABLE_WAIT_SECONDS * 1000;
    for (;;) {
      const status = (await describe()).Table?.GlobalSecondaryIndexes?.find(
        (i) => i.IndexName === index.indexName,
      )?.IndexStatus;
      if (status === 'ACTIVE') break;
      if (Date.now() > deadline) throw new Error(`Index ${index.indexName} of ${name} did not become ACTIVE`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
};

/** Turns on the TTL attribute unless it already is. */
const enableTimeToLive = async (client: DynamoDBClient, name: string, attribute: string): Promise<void> => {
  const current = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
  const status = current.TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
    }),
  );
};

/**
 * Creates every table of `tables` under `prefix` that does not exist yet (on-demand billing, the
 * definition's GSIs, TTL and stream), adds indexes an existing table lacks, and resolves once all
 * are ACTIVE. Safe to run again.
 */
export const ensureTables = async (
  client: DynamoDBClient,
  prefix: string,
  tables: readonly TableDefinition[] = TABLES,
): Promise<void> => {
  await Promise.all(
    tables.map(async (table) => {
      const name = tableName(prefix, table);
      await createTable(client, name, table);
      await waitUntilTableExists(
        { client, maxWaitTime: TABLE_WAIT_SECONDS, minDelay: 1 },
        { TableName: name },
      );
      await addMissingIndexes(client, name, table);
      if (table.ttlAttribute) await enableTimeToLive(client, name, table.ttlAttribute);
    }),
  );
};

/** Deletes every table of `tables` under `prefix` that exists, and resolves once they are gone. */
export const deleteTables = async (
  client: DynamoDBClient,
  prefix: string,
  tables: readonly TableDefinition[] = TABLES,
): Promise<void> => {
  await Promise.all(
    tables.map(async (table) => {
      const name = tableName(prefix, table);
      try {
        await client.send(new DeleteTableCommand({ TableName: name }));
      } catch (error) {
        if (nameOf(error) === 'ResourceNotFoundException') return;
        throw error;
      }
      await waitUntilTableNotExists(
        { client, maxWaitTime: TABLE_WAIT_SECONDS, minDelay: 1 },
        { TableName: name },
      );
    }),
  );
};
