/**
 * Least privilege on the tables: the exact DynamoDB actions a function may use, instead of
 * `grantReadWriteData` (which allows Scan, BatchWriteItem and the stream reads to everyone).
 *
 * A function is given `read` or `readWrite` on a table (a route declares which in its `grants`),
 * and each table says what "write" means for it: the audit log (Events) is append-only, so
 * writing it is `PutItem` alone, and every function's role also denies changing or removing its
 * items outright ({@link denyAuditChanges}), whatever another statement allows.
 */
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, Grant, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { TOKEN_KEY_PREFIX, TOKEN_LAST_USED_AT } from '#adapters/dynamo/keys';
import { connectionsTable, eventsTable, metaTable, type TableDefinition } from '#adapters/dynamo/tables';

/** What a function may do with one table. */
export type TableAccess = 'read' | 'readWrite';

/** Reads the service makes: keyed reads and index queries (never a Scan). */
export const TABLE_READ_ACTIONS: readonly string[] = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
];

/**
 * Writes of a table that is not append-only: single-item writes, and the condition checks of
 * `TransactWriteItems` (a transaction needs each of its parts' actions; it has no action of its own).
 */
export const TABLE_WRITE_ACTIONS: readonly string[] = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];

/** Actions every function is denied on the audit log: its events are never changed or removed. */
export const AUDIT_DENIED_ACTIONS: readonly string[] = [
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
];

/** The write actions of a table, from its definition: append-only Events, batch-cleaned Connections. */
export const writeActionsOf = (definition: TableDefinition | undefined): readonly string[] => {
  if (definition?.id === eventsTable.id) return ['dynamodb:PutItem'];
  // The broadcaster drops gone connections in batches of 25.
  if (definition?.id === connectionsTable.id) return [...TABLE_WRITE_ACTIONS, 'dynamodb:BatchWriteItem'];
  return TABLE_WRITE_ACTIONS;
};

const definitions = new WeakMap<ITable, TableDefinition>();

/** Records which definition a table was built (or imported) from, so grants know its write actions. */
export const registerTable = (table: ITable, definition: TableDefinition): void => {
  definitions.set(table, definition);
};

/** The definition a table was registered with ({@link registerTable}), if any. */
export const definitionOf = (table: ITable): TableDefinition | undefined => definitions.get(table);

/** The actions `access` allows on `table`. */
export const tableActions = (table: ITable, access: TableAccess): readonly string[] =>
  access === 'read' ? TABLE_READ_ACTIONS : [...TABLE_READ_ACTIONS, ...writeActionsOf(definitionOf(table))];

/**
 * Lets `grantee` use `table` and its indexes with exactly the actions of `access`: a registered
 * table's indexes by name (no `index/*` wildcard), an unregistered one's through `ITable.grant`.
 */
export const grantTable = (table: ITable, grantee: IGrantable, access: TableAccess): void => {
  const definition = definitionOf(table);
  if (!definition) {
    table.grant(grantee, ...tableActions(table, access));
    return;
  }
  Grant.addToPrincipal({
    grantee,
    actions: [...tableActions(table, access)],
    resourceArns: [
      table.tableArn,
      ...definition.indexes.map((index) => `${table.tableArn}/index/${index.indexName}`),
    ],
  });
};

/**
 * Denies `fn` every change and removal of the audit log's items (an explicit Deny wins over any
 * Allow, a broad one added later included).
 */
export const denyAuditChanges = (fn: LambdaFunction, events: ITable): void => {
  fn.addToRolePolicy(
    new PolicyStatement({
      sid: 'AuditLogIsAppendOnly',
      effect: Effect.DENY,
      actions: [...AUDIT_DENIED_ACTIONS],
      resources: [events.tableArn],
    }),
  );
};

/**
 * Lets a function that only reads the tables still record when an issued token was last used
 * (`GET /v1/tokens` lists it): `UpdateItem` on the Meta table, only of items whose key starts
 * with the token prefix, touching only the key and `lastUsedAt`, returning nothing. A table that
 * is not the Meta table gets nothing.
 */
export const grantTokenUseRecord = (table: ITable, grantee: IGrantable): void => {
  if (definitionOf(table)?.id !== metaTable.id) return;
  Grant.addToPrincipal({
    grantee,
    actions: ['dynamodb:UpdateItem'],
    resourceArns: [table.tableArn],
    conditions: {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${TOKEN_KEY_PREFIX}*`] },
      'ForAllValues:StringEquals': {
        'dynamodb:Attributes': [metaTable.partitionKey.name, TOKEN_LAST_USED_AT],
      },
      StringEqualsIfExists: { 'dynamodb:ReturnValues': ['NONE'] },
    },
  });
};
