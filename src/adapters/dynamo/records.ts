/**
 * Domain objects <-> stored attributes. Writing adds the keys and the index attributes an item
 * should have in its current state (sparse indexes get theirs only while the state holds);
 * reading strips every storage attribute, so only domain objects leave the adapter.
 */

import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type Agent, type AuditEvent, EntityType, type WorkItem } from '#core/model';
import type { IdempotencyRecord, StoredSettings, TokenRecord } from '#core/ports';
import { WorkStatus } from '#core/work/status';
import {
  AgentIndex,
  ALL_AGENTS_PARTITION,
  agentKey,
  agentSortKey,
  agentTeamPartition,
  dayOf,
  dayShardOf,
  EventIndex,
  eventActorPartition,
  eventAgentPartition,
  eventDayPartition,
  eventKey,
  eventPartition,
  eventTimeKey,
  holderPartition,
  holderSortKey,
  idempotencyKey,
  leaseBucketOf,
  leasePartition,
  leaseSortKey,
  readyPartition,
  readySortKey,
  reviewBucketOf,
  reviewPartition,
  reviewSortKey,
  settingsKey,
  shardOf,
  statusPartition,
  statusShardOf,
  statusSortKey,
  TOKENS_PARTITION,
  TokenIndex,
  tokenKey,
  tokenSortKey,
  WorkIndex,
  workKey,
} from './keys';
import type { StoredItem } from './query';
import { eventsTable, TABLES } from './tables';

const eventsPartitionKey = eventsTable.partitionKey.name;

/** Attribute holding `capacity - activeClaims`, so a claim's capacity guard is one comparison. */
export const FREE_CAPACITY = 'freeCapacity';

/** Attribute holding a row's expiry in epoch seconds (the tables' TTL attribute). */
export const EXPIRES_AT = 'expiresAt';

/** How long audit events are kept, from when the service recorded them, unless configured otherwise. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 400;

/** When the service stored an event (epoch seconds): retention counts from it, not from the event's own time. */
export const RECORDED_AT = 'recordedAt';

const SECONDS_PER_DAY = 86_400;

/** Every attribute that exists for storage only: keys, index keys, TTL and derived guards. */
const STORAGE_ATTRIBUTES: ReadonlySet<string> = new Set([
  FREE_CAPACITY,
  EXPIRES_AT,
  RECORDED_AT,
  ...TABLES.flatMap((table) => [
    table.partitionKey.name,
    ...(table.sortKey ? [table.sortKey.name] : []),
    ...table.indexes.flatMap((index) => [
      index.partitionKey.name,
      ...(index.sortKey ? [index.sortKey.name] : []),
    ]),
  ]),
]);

/** Where a token record keeps its `expiresAt` (the table's TTL attribute holds epoch seconds). */
const TOKEN_EXPIRES_AT = 'tokenExpiresAt';

/**
 * A stored item without its storage attributes. A claim converts every candidate it read (a
 * hundred or more when contended), so this copies the attributes in one loop instead of building
 * and filtering an array of entries (a quarter to a third of the CPU time, 125 work items).
 */
const withoutStorage = (item: StoredItem): Record<string, unknown> => {
  const domain: Record<string, unknown> = {};
  for (const name of Object.keys(item)) if (!STORAGE_ATTRIBUTES.has(name)) domain[name] = item[name];
  return domain;
};

const HELD_STATUSES: ReadonlySet<WorkStatus> = new Set([WorkStatus.Claimed, WorkStatus.InProgress]);

/** Whether an item is held: claimed or in progress, with a claim. */
const isHeld = (item: WorkItem): item is WorkItem & { claim: NonNullable<WorkItem['claim']> } =>
  item.claim !== undefined && HELD_STATUSES.has(item.status);

/** The stored form of a work item, with the index attributes of its state. */
export const workToItem = (item: WorkItem, readyShards: number): StoredItem => ({
  ...item,
  ...workKey(item.id),
  [WorkIndex.byStatus.partitionKey]: statusPartition(item.status, statusShardOf(item.id)),
  [WorkIndex.byStatus.sortKey]: statusSortKey(item.team, item.createdAt, item.id),
  ...(item.status === WorkStatus.Ready && {
    [WorkIndex.ready.partitionKey]: readyPartition(item.team, shardOf(item.id, readyShards)),
    [WorkIndex.ready.sortKey]: readySortKey(item.urgency, item.createdAt, item.id),
  }),
  ...(isHeld(item) && {
    [WorkIndex.leases.partitionKey]: leasePartition(leaseBucketOf(item.id)),
    [WorkIndex.leases.sortKey]: leaseSortKey(item.claim.leaseExpiresAt, item.id),
    [WorkIndex.byHolder.partitionKey]: holderPartition(item.claim.agentId),
    [WorkIndex.byHolder.sortKey]: holderSortKey(item.claim.claimedAt, item.id),
  }),
  ...(item.reviewAt !== undefined &&
    (item.status === WorkStatus.Ready || item.status === WorkStatus.Blocked) && {
      [WorkIndex.review.partitionKey]: reviewPartition(reviewBucketOf(item.id)),
      [WorkIndex.review.sortKey]: reviewSortKey(item.reviewAt, item.id),
    }),
});

/** The work item a stored item holds. */
export const workFromItem = (item: StoredItem): WorkItem => withoutStorage(item) as unknown as WorkItem;

/** The stored form of an agent, with its index attributes and free capacity. */
export const agentToItem = (agent: Agent): StoredItem => ({
  ...agent,
  ...agentKey(agent.id),
  [AgentIndex.byTeam.partitionKey]: agentTeamPartition(agent.team),
  [AgentIndex.byTeam.sortKey]: agentSortKey(agent.id),
  [AgentIndex.all.partitionKey]: ALL_AGENTS_PARTITION,
  [AgentIndex.all.sortKey]: agentSortKey(agent.id),
  [FREE_CAPACITY]: agent.capacity - agent.activeClaims,
});

/** The agent a stored item holds. */
export const agentFromItem = (item: StoredItem): Agent => withoutStorage(item) as unknown as Agent;

/** The agent an event is about besides its actor: the named one, else the agent the event records. */
const subjectAgentOf = (event: AuditEvent): string | undefined =>
  event.agentId ?? (event.entityType === EntityType.Agent ? event.entityId : undefined);

/** When the service recorded an event and how long it keeps it (epoch seconds, days). */
export interface EventRetention {
  readonly recordedAt: number;
  readonly retentionDays: number;
}

/** Epoch seconds when an event recorded at `recordedAt` expires. */
export const eventExpiry = ({ recordedAt, retentionDays }: EventRetention): number =>
  recordedAt + retentionDays * SECONDS_PER_DAY;

/** The stored form of an audit event: keyed by `(entity, seq)`, indexed by day, subject agent and actor. */
export const eventToItem = (
  event: AuditEvent,
  retention: EventRetention = {
    recordedAt: Math.floor(Date.parse(event.at) / 1000),
    retentionDays: DEFAULT_AUDIT_RETENTION_DAYS,
  },
): StoredItem => {
  const timeKey = eventTimeKey(event.at, event.entityType, event.entityId, event.seq);
  const subject = subjectAgentOf(event);
  return {
    ...event,
    ...eventKey(event.entityType, event.entityId, event.seq),
    [EventIndex.byDay.partitionKey]: eventDayPartition(dayOf(event.at), dayShardOf(event.entityId)),
    [EventIndex.byDay.sortKey]: timeKey,
    ...(subject !== undefined && {
      [EventIndex.byAgent.partitionKey]: eventAgentPartition(subject),
      [EventIndex.byAgent.sortKey]: timeKey,
    }),
    [EventIndex.byActor.partitionKey]: eventActorPartition(event.actor.id),
    [EventIndex.byActor.sortKey]: timeKey,
    [RECORDED_AT]: retention.recordedAt,
    [EXPIRES_AT]: eventExpiry(retention),
  };
};

/** The audit event a stored item holds (also what the Events stream carries as its new image). */
export const eventFromItem = (item: StoredItem): AuditEvent => withoutStorage(item) as unknown as AuditEvent;

/** The audit event of a DynamoDB Streams image of the Events table (the broadcaster reads these). */
export const eventFromStreamImage = (image: Record<string, unknown>): AuditEvent =>
  eventFromItem(unmarshall(image as Parameters<typeof unmarshall>[0]));

/**
 * Whether a stream image of the Events table is an audit event (the table may also hold other
 * rows, e.g. index or bookkeeping items, which live clients never hear about).
 */
export const isEventImage = (image: Record<string, unknown> | undefined): boolean => {
  if (!image) return false;
  const attribute = (name: string): Record<string, unknown> | undefined =>
    image[name] as Record<string, unknown> | undefined;
  const pk = attribute(eventsPartitionKey)?.S;
  return (
    typeof pk === 'string' &&
    pk.startsWith(eventPartition('')) &&
    typeof attribute('action')?.S === 'string' &&
    typeof attribute('seq')?.N === 'string' &&
    typeof attribute('at')?.S === 'string' &&
    typeof attribute('entityId')?.S === 'string'
  );
};

/** The time-ordered position of a stored event (the sort key of its day, agent and actor entries). */
export const eventTimeKeyOf = (item: StoredItem): string => String(item[EventIndex.byDay.sortKey] ?? '');

/** The stored form of a token record. */
export const tokenToItem = ({ expiresAt, ...token }: TokenRecord): StoredItem => ({
  ...token,
  ...tokenKey(token.id),
  [TokenIndex.partitionKey]: TOKENS_PARTITION,
  [TokenIndex.sortKey]: tokenSortKey(token.createdAt, token.id),
  // Both: the time as written, and epoch seconds in the table's TTL attribute, so DynamoDB
  // deletes an expired token's record by itself some time after it stopped working.
  ...(expiresAt !== undefined && {
    [TOKEN_EXPIRES_AT]: expiresAt,
    [EXPIRES_AT]: Math.ceil(Date.parse(expiresAt) / 1000),
  }),
});

/** The token record a stored item holds. */
export const tokenFromItem = (item: StoredItem): TokenRecord => {
  const { [TOKEN_EXPIRES_AT]: expiresAt, ...token } = withoutStorage(item);
  return (typeof expiresAt === 'string' ? { ...token, expiresAt } : token) as unknown as TokenRecord;
};

/** The stored form of the runtime settings. */
export const settingsToItem = (settings: StoredSettings): StoredItem => ({ ...settings, ...settingsKey() });

/** The runtime settings a stored item holds. */
export const settingsFromItem = (item: StoredItem): StoredSettings => ({
  settings: (item.settings ?? {}) as Record<string, unknown>,
  version: Number(item.version ?? 0),
});

/** The stored form of a fresh idempotency reservation. */
export const reservationToItem = (
  key: string,
  fingerprint: string,
  expiresAtEpochSeconds: number,
): StoredItem => ({
  ...idempotencyKey(key),
  state: 'in_progress',
  fingerprint,
  [EXPIRES_AT]: expiresAtEpochSeconds,
});

/** The idempotency record a stored item holds. */
export const idempotencyFromItem = (item: StoredItem): IdempotencyRecord =>
  withoutStorage(item) as unknown as IdempotencyRecord;
