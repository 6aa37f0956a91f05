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
  /** Sparse: only held items, by lease expiry within a bucket. */
  leases: indexKeys(workTable, 'leases'),
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

/** Lease index partitions: a fixed count so that no deployment setting can hide a lease from the sweeper. */
export const LEASE_BUCKETS = 4;

/** Review index partitions, fixed for the same reason. */
export const REVIEW_BUCKETS = 4;

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

/** The ready-index shard of a work item. */
export const shardOf = (id: string, shards: number): number => stableHash(id) % Math.max(1, shards);

/** The lease-index bucket of a work item. */
export const leaseBucketOf = (id: string): number => stableHash(`lease:${id}`) % LEASE_BUCKETS;

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
export const reviewBucketOf = (id: string): number => stableHash(`review:${id}`) % REVIEW_BUCKETS;

/** Review-index sort key: earliest review first. */
export const reviewSortKey = (reviewAt: string, id: string): string => `${sortableTime(reviewAt)}#${id}`;

/** Status-index partition. */
export const statusPartition = (status: string): string => `STATUS#${status}`;

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

/** Day-index partition. */
export const eventDayPartition = (day: string): string => `DAY#${day}`;

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

/** Primary key of an issued token. */
export const tokenKey = (id: string) => ({ [PK]: `TOKEN#${id}` });

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

/** Primary key of the team registry. */
export const teamsKey = () => ({ [PK]: 'TEAMS' });

/** Meta item listing the days of one year that hold audit events (one attribute per day). */
export const auditDaysKey = (year: string) => ({ [PK]: `AUDITDAYS#${year}` });

/** Meta item listing the years that hold audit events (one attribute per year). */
export const auditYearsKey = () => ({ [PK]: 'AUDITYEARS' });
