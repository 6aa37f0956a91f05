import {
  type AttributeDefinition,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type KeySchemaElement,
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
 * definition's GSIs, TTL and stream), and resolves once all are ACTIVE. Safe to run again.
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
