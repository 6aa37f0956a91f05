/**
 * The DynamoDB tables, as pure data. The CDK data stack (`lib/`) and the local runtime
 * (`local/`, CreateTable) both build tables from these definitions, so cloud and laptop
 * cannot drift. No SDK imports here.
 */

/** A key attribute. */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

/** A global secondary index. */
export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** @default 'ALL' */
  readonly projection?: 'ALL' | 'KEYS_ONLY';
}

/** One table. */
export interface TableDefinition {
  /** Logical name: the CDK construct id and the suffix of the physical name. */
  readonly id: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly indexes: readonly IndexDefinition[];
  /** Attribute holding an epoch-seconds expiry, if rows expire. */
  readonly ttlAttribute?: string;
  /** Whether the table streams new images (the broadcaster reads them). */
  readonly stream?: boolean;
  /**
   * Indexes no code reads any more, kept in the deployed table for one release. CloudFormation
   * cannot change an index in place and adds or removes at most one index of a table per update,
   * so replacing one takes two deployments: the first adds its successor (to `indexes`, readers
   * switch to it) and keeps the old one here; the next removes it from here. The local runtime
   * and the capacity model leave these out.
   * @default none
   */
  readonly retiringIndexes?: readonly IndexDefinition[];
}

const S = (name: string): KeyAttribute => ({ name, type: 'S' });

/**
 * Work items: the ready index (claim order), the lease index (sweeper), by status, by holder,
 * and the review index (sweeper: urgency drift and passed deadlines of ready and blocked items).
 * `byStatus` keeps keys only: its entries change only when an item's status does, so the frequent
 * progress writes do not rewrite it, and lists read the items themselves with one BatchGet.
 * `leaseKeys` keeps keys only too: every progress report (and the sweeper, for a holder that
 * still heartbeats) moves an item's lease entry, and a key-only entry costs one write unit where
 * the whole item cost two; the sweeper reads the few expired items by key. It replaces `leases` (the whole item, same keys), which the next
 * release removes (docs/runbook.md, "Replacing an index").
 */
export const workTable: TableDefinition = {
  id: 'Work',
  partitionKey: S('pk'),
  indexes: [
    { indexName: 'ready', partitionKey: S('gsi1pk'), sortKey: S('gsi1sk') },
    { indexName: 'leaseKeys', partitionKey: S('gsi2pk'), sortKey: S('gsi2sk'), projection: 'KEYS_ONLY' },
    { indexName: 'byStatus', partitionKey: S('gsi3pk'), sortKey: S('gsi3sk'), projection: 'KEYS_ONLY' },
    { indexName: 'byHolder', partitionKey: S('gsi4pk'), sortKey: S('gsi4sk') },
    { indexName: 'review', partitionKey: S('gsi5pk'), sortKey: S('gsi5sk'), projection: 'KEYS_ONLY' },
  ],
  retiringIndexes: [{ indexName: 'leases', partitionKey: S('gsi2pk'), sortKey: S('gsi2sk') }],
};

/**
 * Agents, listed by team or all together. Both indexes keep keys only: their keys never change
 * after registration, so heartbeats and claim counting never write to them.
 */
export const agentsTable: TableDefinition = {
  id: 'Agents',
  partitionKey: S('pk'),
  indexes: [
    { indexName: 'byTeam', partitionKey: S('gsi1pk'), sortKey: S('gsi1sk'), projection: 'KEYS_ONLY' },
    { indexName: 'all', partitionKey: S('gsi2pk'), sortKey: S('gsi2sk'), projection: 'KEYS_ONLY' },
  ],
};

/** The append-only audit log: per entity, by day, and by agent. Streams feed live clients. */
export const eventsTable: TableDefinition = {
  id: 'Events',
  partitionKey: S('pk'),
  sortKey: S('sk'),
  indexes: [
    { indexName: 'byDay', partitionKey: S('gsi1pk'), sortKey: S('gsi1sk') },
    { indexName: 'byAgent', partitionKey: S('gsi2pk'), sortKey: S('gsi2sk') },
    { indexName: 'byActor', partitionKey: S('gsi3pk'), sortKey: S('gsi3sk') },
  ],
  ttlAttribute: 'expiresAt',
  stream: true,
};

/** Small rows: issued tokens, idempotency records, runtime settings, rate limits. */
export const metaTable: TableDefinition = {
  id: 'Meta',
  partitionKey: S('pk'),
  // Sparse lists of Meta rows, one partition each: token records oldest first (`TOKENS`,
  // `GET /v1/tokens`) and team items by name (`TEAMS`, `GET /v1/teams`). One index serves both:
  // a CloudFormation update adds at most one index to a table, and this release adds this one.
  indexes: [{ indexName: 'tokens', partitionKey: S('gsi1pk'), sortKey: S('gsi1sk'), projection: 'ALL' }],
  ttlAttribute: 'expiresAt',
};

/**
 * Escalations, partitioned by work item (`sk` = kind and number, so the item's latest of a kind is
 * one consistent Query), listed by status and by team and status. Both indexes keep keys only.
 */
export const escalationsTable: TableDefinition = {
  id: 'Escalations',
  partitionKey: S('pk'),
  sortKey: S('sk'),
  indexes: [
    { indexName: 'byStatus', partitionKey: S('gsi1pk'), sortKey: S('gsi1sk'), projection: 'KEYS_ONLY' },
    { indexName: 'byTeam', partitionKey: S('gsi2pk'), sortKey: S('gsi2sk'), projection: 'KEYS_ONLY' },
  ],
};

/**
 * WebSocket connections: one partition per connection (`sk` = the connection record, then one row
 * per joined channel), and the channel index (`gsi1pk` = channel, `gsi1sk` = connection id) that
 * finds a channel's subscribers with a Query. Rows expire with the connection (TTL).
 */
export const connectionsTable: TableDefinition = {
  id: 'Connections',
  partitionKey: S('pk'),
  sortKey: S('sk'),
  indexes: [
    { indexName: 'byChannel', partitionKey: S('gsi1pk'), sortKey: S('gsi1sk'), projection: 'KEYS_ONLY' },
  ],
  ttlAttribute: 'expiresAt',
};

/** Every table the service uses. */
export const TABLES: readonly TableDefinition[] = [
  workTable,
  agentsTable,
  eventsTable,
  metaTable,
  connectionsTable,
  escalationsTable,
];

/** Physical table name for a deployment prefix, e.g. `coord-dev-Work`. */
export const tableName = (prefix: string, table: TableDefinition): string => `${prefix}-${table.id}`;
