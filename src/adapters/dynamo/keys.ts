/**
 * Every key string of every table is spelled here and nowhere else. Attribute names come from
 * the table definitions, so moving an index to other attributes is a change in `tables.ts` only.
 * Ids and team names never contain `#` (their schemas forbid it), so `#` separates key parts safely.
 */
import {
  agentsTable,
  eventsTable,
  type IndexDefinition,
  metaTable,
  type TableDefinition,
  workTable,
} from './tables';

/** Names of an index and of its key attributes, as a Query needs them. */
export interface IndexKeys {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

const indexKeys = (table: TableDefinition, indexName: string): IndexKeys => {
  const index: IndexDefinition | undefined = table.indexes.find(
    (candidate) => candidate.indexName === indexName,
  );
  if (!index?.sortKey) throw new Error(`Table ${table.id} has no index ${indexName} with a sort key.`);
  return { indexName, partitionKey: index.partitionKey.name, sortKey: index.sortKey.name };
};

/** The Work table's indexes. */
export const WorkIndex = {
  /** Sparse: only `ready` items, most urgent first within a team shard. */
  ready: indexKeys(workTable, 'ready'),
  /** Sparse, keys only: only held items, by lease expiry within a bucket. */
  leases: indexKeys(workTable, 'leaseKeys'),
  /** Every item, by status, then team and creation time. */
  byStatus: indexKeys(workTable, 'byStatus'),
  /** Sparse: only held items, by holder, then claim time. */
  byHolder: indexKeys(workTable, 'byHolder'),
  /** Sparse: only ready or blocked items with a review time, earliest first within a bucket. */
  review: indexKeys(workTable, 'review'),
} as const;

/** The Agents table's indexes. */
export const AgentIndex = {
  byTeam: indexKeys(agentsTable, 'byTeam'),
  all: indexKeys(agentsTable, 'all'),
} as const;

/** The Events table's indexes. */
export const EventIndex = {
  byDay: indexKeys(eventsTable, 'byDay'),
  /** Sparse: events about an agent (their subject). */
  byAgent: indexKeys(eventsTable, 'byAgent'),
  byActor: indexKeys(eventsTable, 'byActor'),
} as const;

/** Name of the partition key attribute every table uses. */
export const PK = workTable.partitionKey.name;
/** Name of the Events table's sort key attribute. */
export const SK = eventsTable.sortKey?.name ?? 'sk';

/**
 * Lease index partitions writers use: a fixed count so that no deployment setting can hide a lease
 * from the sweeper. Every progress report and renewal moves an entry, so a fleet needs many; only
 * the sweeper reads them, once a pass.
 */
export const LEASE_BUCKETS = 64;

/**
 * The count writers used before (4). A held item keeps its entry in its old bucket until its
 * lease next moves, so the sweeper reads {@link LEASE_READ_BUCKETS} buckets: every old bucket
 * number is also a new one. Raising `LEASE_BUCKETS` again keeps this at the count it replaces
 * for at least one lease period.
 */
export const PREVIOUS_LEASE_BUCKETS = 4;

/** Buckets the sweeper reads: the larger of the current and the previous count. */
export const LEASE_READ_BUCKETS = Math.max(LEASE_BUCKETS, PREVIOUS_LEASE_BUCKETS);

/**
 * Review index partitions writers use, fixed for the same reason. Each created item puts an entry
 * and its claim deletes it, so a fleet needs more than a few.
 */
export const REVIEW_BUCKETS = 16;

/**
 * The count writers used before (4). Ready items wait in the backlog for long, so entries stay in
 * their old buckets; the sweeper reads {@link REVIEW_READ_BUCKETS}, and every old bucket number is
 * also a new one.
 */
export const PREVIOUS_REVIEW_BUCKETS = 4;

/** Buckets the sweeper reads: the larger of the current and the previous count. */
export const REVIEW_READ_BUCKETS = Math.max(REVIEW_BUCKETS, PREVIOUS_REVIEW_BUCKETS);

const RANK_DIGITS = 10;
const RANK_CEILING = 10 ** RANK_DIGITS - 1;
/** Urgency is kept to two decimals; the rank keeps them as an integer. */
const RANK_SCALE = 100;
const SEQ_DIGITS = 12;

/**
 * A stable non-negative hash of a string (32-bit FNV-1a): the same id lands in the same shard
 * in every process and every release.
 */
export const stableHash = (value: string): number => {
  let hash = 0x811c9dc5;
  for (let index = 0; index < value.length; index += 1) {
    hash ^= value.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
};

/**
 * A partition split by a hash suffix: `<base>#<shard>`, or without a shard `<base>` itself, the
 * partition written before the key was sharded.
 */
const shardedPartition = (base: string, shard: number | undefined): string =>
  shard === undefined ? base : `${base}#${shard}`;

/** Every partition a reader of a sharded key queries: its `shards` shards, then the unsharded one. */
const partitionsToRead = (base: string, shards: number): string[] => [
  ...Array.from({ length: shards }, (_, shard) => shardedPartition(base, shard)),
  base,
];

/** The ready-index shard of a work item. */
export const shardOf = (id: string, shards: number): number => stableHash(id) % Math.max(1, shards);

/** The lease-index bucket of a work item. */
export const leaseBucketOf = (id: string, buckets: number = LEASE_BUCKETS): number =>
  stableHash(`lease:${id}`) % buckets;

/**
 * A timestamp in the one ISO 8601 form (`YYYY-MM-DDTHH:mm:ss.sssZ`) whose string order is time
 * order; a value that is not a date is kept as given.
 */
export const sortableTime = (at: string): string => {
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? at : new Date(ms).toISOString();
};

/** The UTC day (`YYYY-MM-DD`) of a timestamp. */
export const dayOf = (at: string): string => sortableTime(at).slice(0, 10);

const pad = (value: number, digits: number): string => String(value).padStart(digits, '0');

/** Zero-padded sequence number, so string order is numeric order. */
export const paddedSeq = (seq: number): string => pad(Math.max(0, Math.trunc(seq)), SEQ_DIGITS);

/**
 * Inverted fixed-point urgency: a higher urgency gives a smaller string, so an ascending Query
 * returns the most urgent item first.
 */
export const invertedRank = (urgency: number): string => {
  const scaled = Math.min(RANK_CEILING, Math.max(0, Math.round(urgency * RANK_SCALE)));
  return pad(RANK_CEILING - scaled, RANK_DIGITS);
};

// Work table

/** Primary key of a work item. */
export const workKey = (id: string) => ({ [PK]: `WORK#${id}` });

/** Ready-index partition of a team's shard. */
export const readyPartition = (team: string, shard: number): string => `READY#${team}#${shard}`;

/**
 * The ready-shard count writers used before it became 16 (`COORD_READY_SHARDS`' old default).
 * An item keeps its ready entry in its old shard until it is next written, and ready items can
 * wait in the backlog for long, so readers query {@link readyPartitions}: every old shard number
 * is also a new one when the count grows. Lowering `COORD_READY_SHARDS` below a count in use is
 * a migration: keep this at the old count until the items in the shards above are claimed.
 * A deployment whose items were never written under another count (the local stack, one shard
 * since it began) says so with `COORD_PREVIOUS_READY_SHARDS`, and its readers query no empty shard.
 */
export const PREVIOUS_READY_SHARDS = 4;

/**
 * Every ready-index partition of a team a reader queries: the larger of `shards` and the
 * previous count (`previous`, {@link PREVIOUS_READY_SHARDS} unless the deployment says otherwise).
 */
export const readyPartitions = (team: string, shards: number, previous = PREVIOUS_READY_SHARDS): string[] =>
  Array.from({ length: Math.max(1, shards, previous) }, (_, shard) => readyPartition(team, shard));

/** Ready-index sort key: urgency descending, then older first, then id. */
export const readySortKey = (urgency: number, createdAt: string, id: string): string =>
  `${invertedRank(urgency)}#${sortableTime(createdAt)}#${id}`;

/** Lease-index partition. */
export const leasePartition = (bucket: number): string => `LEASE#${bucket}`;

/** Lease-index sort key: earliest expiry first. */
export const leaseSortKey = (leaseExpiresAt: string, id: string): string =>
  `${sortableTime(leaseExpiresAt)}#${id}`;

/** Review-index partition. */
export const reviewPartition = (bucket: number): string => `REVIEW#${bucket}`;

/** The review-index bucket of a work item. */
export const reviewBucketOf = (id: string, buckets: number = REVIEW_BUCKETS): number =>
  stableHash(`review:${id}`) % buckets;

/** Review-index sort key: earliest review first. */
export const reviewSortKey = (reviewAt: string, id: string): string => `${sortableTime(reviewAt)}#${id}`;

/**
 * Status-index partitions per status: a fixed count, since every list and count of a status
 * queries all of them (one partition per status would take every transition of the fleet).
 */
export const STATUS_SHARDS = 8;

/** The status-index shard of a work item. */
export const statusShardOf = (id: string): number => stableHash(id) % STATUS_SHARDS;

/**
 * Status-index partition: one of `STATUS_SHARDS` per status, by the item's hash. Without a shard,
 * the partition items were written to before the status index was sharded (readers still query it).
 */
export const statusPartition = (status: string, shard?: number): string =>
  shardedPartition(`STATUS#${status}`, shard);

/** Every status-index partition of a status a reader queries: the shards, then the unsharded one. */
export const statusPartitions = (status: string): string[] =>
  partitionsToRead(`STATUS#${status}`, STATUS_SHARDS);

/** A bound above every sort key of a team's range in a status partition. */
export const statusTeamCeiling = (team: string): string => `${statusTeamPrefix(team)}~`;

/** Prefix of a team's range inside a status partition. */
export const statusTeamPrefix = (team: string): string => `${team}#`;

/** Status-index sort key: by team, then creation time. */
export const statusSortKey = (team: string, createdAt: string, id: string): string =>
  `${statusTeamPrefix(team)}${sortableTime(createdAt)}#${id}`;

/** Holder-index partition. */
export const holderPartition = (agentId: string): string => `HOLDER#${agentId}`;

/** Holder-index sort key: by claim time. */
export const holderSortKey = (claimedAt: string, id: string): string => `${sortableTime(claimedAt)}#${id}`;

// Agents table

/** Primary key of an agent. */
export const agentKey = (id: string) => ({ [PK]: `AGENT#${id}` });

/** Team-index partition of agents. */
export const agentTeamPartition = (team: string): string => `TEAM#${team}`;

/** The one partition of the all-agents index. */
export const ALL_AGENTS_PARTITION = 'AGENTS';

/** Sort key of both agent indexes: by id. */
export const agentSortKey = (id: string): string => id;

// Events table

/** Primary key of an audit event: one partition per entity, one row per `(entityType, seq)`. */
export const eventKey = (entityType: string, entityId: string, seq: number) => ({
  [PK]: eventPartition(entityId),
  [SK]: eventSortKey(entityType, seq),
});

/** The partition holding every event of an entity. */
export const eventPartition = (entityId: string): string => `ENTITY#${entityId}`;

/** Sort key of an event inside its entity partition. */
export const eventSortKey = (entityType: string, seq: number): string => `${entityType}#${paddedSeq(seq)}`;

/**
 * Day-index partitions per day: a fixed count, since every reader of a day queries all of them
 * (one partition per day would take every event of the fleet, several times its write limit).
 */
export const DAY_SHARDS = 16;

/** The day-index shard of an entity's events. */
export const dayShardOf = (entityId: string): number => stableHash(entityId) % DAY_SHARDS;

/**
 * Day-index partition: one of `DAY_SHARDS` per day, by the entity's hash. Without a shard, the
 * partition events were written to before the day index was sharded (readers still query it).
 */
export const eventDayPartition = (day: string, shard?: number): string =>
  shardedPartition(`DAY#${day}`, shard);

/** Every day-index partition of a day a reader queries: the shards, then the unsharded one. */
export const eventDayPartitions = (day: string): string[] => partitionsToRead(`DAY#${day}`, DAY_SHARDS);

/** Agent-index partition (events whose subject is the agent). */
export const eventAgentPartition = (agentId: string): string => `AGENT#${agentId}`;

/** Actor-index partition. */
export const eventActorPartition = (actorId: string): string => `ACTOR#${actorId}`;

/**
 * Sort key of an event in the time-ordered indexes (day, agent, actor): time first, then the
 * event's identity, so it is unique and the same in all three.
 */
export const eventTimeKey = (at: string, entityType: string, entityId: string, seq: number): string =>
  `${sortableTime(at)}#${entityType}#${entityId}#${paddedSeq(seq)}`;

/** A bound above every time key of the instant `at` (for inclusive `until` ranges). */
export const eventTimeCeiling = (at: string): string => `${sortableTime(at)}~`;

// Meta table

/** What the partition key of every issued token's record starts with. */
export const TOKEN_KEY_PREFIX = 'TOKEN#';

/** Primary key of an issued token. */
export const tokenKey = (id: string) => ({ [PK]: `${TOKEN_KEY_PREFIX}${id}` });

/**
 * The token record's time of last use: the one attribute functions that only read the tables may
 * still write, on token records alone (`grantTokenUseRecord` in lib/table-access.ts).
 */
export const TOKEN_LAST_USED_AT = 'lastUsedAt';

/** The Meta table's index of token records. */
export const TokenIndex = indexKeys(metaTable, 'tokens');

/** The one partition of the token index. */
export const TOKENS_PARTITION = 'TOKENS';

/** Token index sort key: oldest first, the id making it unique. */
export const tokenSortKey = (createdAt: string, id: string): string => `${createdAt}#${id}`;

/** Primary key of an idempotency record. */
export const idempotencyKey = (key: string) => ({ [PK]: `IDEMPOTENCY#${key}` });

/** Primary key of the runtime settings. */
export const settingsKey = () => ({ [PK]: 'SETTINGS' });

/** Primary key of the AI guard's shared state (rate limit, breaker, daily budget). */
export const aiGateKey = () => ({ [PK]: 'AI#GATE' });

/**
 * Primary key of the team registry as earlier versions kept it: every name in one item. Listing
 * moves its names to team items ({@link teamKey}) a bounded number at a time.
 */
export const teamsKey = () => ({ [PK]: 'TEAMS' });

/** Primary key of one team's item. */
export const teamKey = (team: string) => ({ [PK]: `TEAM#${team}` });

/** The Meta table's index of team items, in name order: the token index's `TEAMS` partition. */
export const TeamIndex = indexKeys(metaTable, 'tokens');

/** The partition of the team items in {@link TeamIndex} (written once per new team). */
export const TEAMS_PARTITION = 'TEAMS';

/** Team index sort key: the name, so the index lists teams in name order. */
export const teamSortKey = (team: string): string => team;

/** The invariant checks' states (one row). */
export const invariantsKey = () => ({ [PK]: 'INVARIANTS' });

/** Meta item listing the days of one year that hold audit events (one attribute per day). */
export const auditDaysKey = (year: string) => ({ [PK]: `AUDITDAYS#${year}` });

/** Meta item listing the years that hold audit events (one attribute per year). */
export const auditYearsKey = () => ({ [PK]: 'AUDITYEARS' });

/** Primary key of a webhook. */
export const webhookKey = (id: string) => ({ [PK]: `WEBHOOK#${id}` });

/** The partition of the webhooks in the token index ({@link TokenIndex}), oldest first. */
export const WEBHOOKS_PARTITION = 'WEBHOOKS';

/** Primary key of one delivery of a webhook. */
export const deliveryKey = (webhookId: string, id: string) => ({ [PK]: `DELIVERY#${webhookId}#${id}` });

/** The partition of a webhook's deliveries in the token index, read newest first. */
export const deliveriesPartition = (webhookId: string): string => `DELIVERIES#${webhookId}`;

// Messages (rows of the Events table outside its `ENTITY#` partitions, so no stream reader takes them for audit events)

/** The partition of a work item's thread: its messages, by id (ids sort by time). */
export const messageThreadPartition = (workId: string): string => `MSG#work#${workId}`;

/** The partition of an agent's inbox: direct messages and mentions, by id. */
export const messageInboxPartition = (agentId: string): string => `MSG#inbox#${agentId}`;

/** Primary key of a message row in a partition (`sk` = the message id). */
export const messageKey = (partition: string, messageId: string) => ({ [PK]: partition, [SK]: messageId });

/** Primary key of an agent's read marker: the newest message id it marked read. */
export const readMarkerKey = (agentId: string) => ({ [PK]: `MSG#read#${agentId}`, [SK]: 'marker' });
