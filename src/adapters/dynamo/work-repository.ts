import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor, isIndexBelow, isKeyOf, isObject } from '#core/cursor';
import type { WorkItem } from '#core/model';
import type { Page, PageRequest, WorkQuery, WorkRepository } from '#core/ports';
import { WORK_STATUSES, type WorkStatus } from '#core/work/status';
import { storeCall } from './errors';
import { allOf, Expression } from './expression';
import {
  holderPartition,
  type IndexKeys,
  LEASE_READ_BUCKETS,
  leasePartition,
  PK,
  PREVIOUS_READY_SHARDS,
  REVIEW_READ_BUCKETS,
  readyPartitions,
  reviewPartition,
  sortableTime,
  statusPartitions,
  statusTeamCeiling,
  statusTeamPrefix,
  WorkIndex,
  workKey,
} from './keys';
import { bySortKey, type PartitionPage, topOfPartitions } from './partition-heads';
import {
  batchGet,
  collect,
  count,
  forEachValue,
  indexEntryKey,
  itemsOfEntries,
  type QuerySpec,
  type StoredItem,
} from './query';
import { workFromItem } from './records';
import { RecentWork } from './work-cache';

/**
 * Where a status-walking list stopped: the status it was in and the status-index sort key of the
 * last entry returned (`<team>#<createdAt>#<id>`, unique), a position in every shard of that status.
 */
interface StatusPosition {
  readonly s: number;
  readonly a: string;
}

/** The attributes of an index entry's position (table key plus index keys). */
const entryAttributes = (index: IndexKeys): string[] => [PK, index.partitionKey, index.sortKey];

/** A status position inside the statuses walked (and in the team's range when narrowed to a team). */
const isStatusPosition =
  (statuses: readonly WorkStatus[], team: string | undefined) =>
  (value: unknown): value is StatusPosition =>
    isObject(value) &&
    Object.keys(value).length === 2 &&
    isIndexBelow(value.s, statuses.length) &&
    typeof value.a === 'string' &&
    value.a.length > 0 &&
    (team === undefined || value.a.startsWith(statusTeamPrefix(team)));

/** Where a holder list stopped. */
interface HolderPosition {
  readonly k: Record<string, string>;
}

/** A holder position in that agent's partition. */
const isHolderPosition =
  (agentId: string) =>
  (value: unknown): value is HolderPosition =>
    isObject(value) &&
    isKeyOf(value.k, entryAttributes(WorkIndex.byHolder)) &&
    value.k[WorkIndex.byHolder.partitionKey] === holderPartition(agentId);

/** Work items in the Work table; every list reads an index, never a scan. */
export class DynamoWorkRepository implements WorkRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly readyShards: number,
    /** The ready-shard count items may still sit under from before (see `PREVIOUS_READY_SHARDS`). */
    private readonly previousReadyShards = PREVIOUS_READY_SHARDS,
    /** The items this process last wrote or read (kept by the unit of work and by `get`). */
    private readonly recentWork = new RecentWork(0),
  ) {}

  async get(id: string): Promise<WorkItem | undefined> {
    const answer = await storeCall('GetItem', () =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: workKey(id), ConsistentRead: true })),
    );
    if (!answer.Item) {
      this.recentWork.forget(id);
      return undefined;
    }
    const item = workFromItem(answer.Item);
    this.recentWork.keep(item);
    return item;
  }

  recent(id: string): WorkItem | undefined {
    return this.recentWork.get(id);
  }

  async getMany(ids: readonly string[]): Promise<WorkItem[]> {
    const unique = [...new Set(ids)];
    const items = await batchGet(this.doc, this.tableName, unique.map(workKey));
    return items.map(workFromItem);
  }

  list(query: WorkQuery): Promise<Page<WorkItem>> {
    if (query.agentId !== undefined) return this.listByHolder(query.agentId, query);
    return this.listByStatus(query.status === undefined ? WORK_STATUSES : [query.status], query);
  }

  /**
   * The most urgent ready items of the teams, in urgency order across every shard of every team:
   * each shard is asked for its head only (`topOfPartitions`), so a claim reads about `limit`
   * items in all, not `limit` per shard, and more shards cut every shard's load. Shards are read
   * up to the larger of the current and the previous count, so items placed before the count
   * changed are still found.
   */
  async readyCandidates(teams: readonly string[], limit: number): Promise<WorkItem[]> {
    if (limit <= 0 || teams.length === 0) return [];
    const index = WorkIndex.ready;
    const partitions = [...new Set(teams)].flatMap((team) =>
      readyPartitions(team, this.readyShards, this.previousReadyShards),
    );
    const page: PartitionPage = async (partition, pageLimit, startKey) => {
      const expression = new Expression();
      const answer = await storeCall('Query', () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: index.indexName,
            KeyConditionExpression: `${expression.name(index.partitionKey)} = ${expression.value(partition)}`,
            ...expression.attributes(),
            Limit: pageLimit,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      return { items: answer.Items ?? [], next: answer.LastEvaluatedKey };
    };
    const top = await topOfPartitions(page, partitions, index.sortKey, limit);
    return top.map(workFromItem);
  }

  async expiredLeases(before: string, limit: number): Promise<WorkItem[]> {
    if (limit <= 0) return [];
    const index = WorkIndex.leases;
    const pages = await Promise.all(
      Array.from({ length: LEASE_READ_BUCKETS }, (_, bucket) => {
        const expression = new Expression();
        const spec: QuerySpec = {
          TableName: this.tableName,
          IndexName: index.indexName,
          KeyConditionExpression: `${expression.name(index.partitionKey)} = ${expression.value(leasePartition(bucket))} AND ${expression.name(index.sortKey)} < ${expression.value(sortableTime(before))}`,
          ...expression.attributes(),
        };
        return collect(this.doc, spec, limit);
      }),
    );
    const expired = pages
      .flatMap((page) => page.items)
      .sort(bySortKey(index.sortKey))
      .slice(0, limit);
    // The index keeps keys only: the items are read by key, at most `limit` of them.
    const stored = await itemsOfEntries(this.doc, this.tableName, expired);
    return stored.map(workFromItem);
  }

  async dueForReview(before: string, limit: number): Promise<WorkItem[]> {
    if (limit <= 0) return [];
    const index = WorkIndex.review;
    // The sort key is `<reviewAt>#<id>`: every key of an instant before `before` sorts below it.
    const bound = sortableTime(before);
    const pages = await Promise.all(
      Array.from({ length: REVIEW_READ_BUCKETS }, (_, bucket) => {
        const expression = new Expression();
        const spec: QuerySpec = {
          TableName: this.tableName,
          IndexName: index.indexName,
          KeyConditionExpression: `${expression.name(index.partitionKey)} = ${expression.value(reviewPartition(bucket))} AND ${expression.name(index.sortKey)} <= ${expression.value(`${bound}~`)}`,
          ...expression.attributes(),
        };
        return collect(this.doc, spec, limit);
      }),
    );
    const due = pages
      .flatMap((page) => page.items)
      .sort(bySortKey(index.sortKey))
      .slice(0, limit);
    const stored = await itemsOfEntries(this.doc, this.tableName, due);
    return stored.map(workFromItem);
  }

  async countByStatus(team: string): Promise<Record<WorkStatus, number>> {
    const counts = await Promise.all(
      WORK_STATUSES.map(async (status) => {
        const shards = await Promise.all(
          statusPartitions(status).map((partition) => count(this.doc, this.statusSpec(partition, team))),
        );
        return [status, shards.reduce((sum, each) => sum + each, 0)] as const;
      }),
    );
    return Object.fromEntries(counts) as Record<WorkStatus, number>;
  }

  async countAllByStatus(): Promise<Record<string, Record<WorkStatus, number>>> {
    const byTeam: Record<string, Record<WorkStatus, number>> = {};
    const tally = (status: WorkStatus) => (sortKey: unknown) => {
      if (typeof sortKey !== 'string') return;
      // `<team>#<createdAt>#<id>`: team names hold no `#` (TeamName).
      const team = sortKey.slice(0, sortKey.indexOf('#'));
      byTeam[team] ??= Object.fromEntries(WORK_STATUSES.map((each) => [each, 0])) as Record<
        WorkStatus,
        number
      >;
      byTeam[team][status] += 1;
    };
    await Promise.all(
      WORK_STATUSES.flatMap((status) =>
        statusPartitions(status).map((partition) =>
          forEachValue(
            this.doc,
            this.statusSpec(partition, undefined),
            WorkIndex.byStatus.sortKey,
            tally(status),
          ),
        ),
      ),
    );
    return byTeam;
  }

  /** One status-index partition, narrowed to a team and to the entries after `after` when given. */
  private statusSpec(partition: string, team: string | undefined, after?: string): QuerySpec {
    const index = WorkIndex.byStatus;
    const expression = new Expression();
    const key = () => expression.name(index.sortKey);
    let range: string | undefined;
    if (after !== undefined && team !== undefined) {
      // Inclusive: the caller drops the entry at `after` itself.
      range = `${key()} BETWEEN ${expression.value(after)} AND ${expression.value(statusTeamCeiling(team))}`;
    } else if (after !== undefined) range = `${key()} > ${expression.value(after)}`;
    else if (team !== undefined) range = `begins_with(${key()}, ${expression.value(statusTeamPrefix(team))})`;
    return {
      TableName: this.tableName,
      IndexName: index.indexName,
      KeyConditionExpression: allOf(
        `${expression.name(index.partitionKey)} = ${expression.value(partition)}`,
        range,
      ),
      ...expression.attributes(),
    };
  }

  /**
   * The first `wanted` entries of a status after `after`, in sort key order: every shard of the
   * status (and its unsharded partition) may hold them, so each is asked for `wanted` and the
   * answers are merged.
   */
  private async statusEntries(
    status: WorkStatus,
    team: string | undefined,
    after: string | undefined,
    wanted: number,
  ): Promise<StoredItem[]> {
    const sortKey = WorkIndex.byStatus.sortKey;
    const shards = await Promise.all(
      statusPartitions(status).map((partition) =>
        collect(this.doc, this.statusSpec(partition, team, after), wanted, {
          accept: after === undefined ? undefined : (entry) => entry[sortKey] !== after,
        }),
      ),
    );
    return shards
      .flatMap((shard) => shard.items)
      .sort(bySortKey(sortKey))
      .slice(0, wanted);
  }

  /**
   * Walks the byStatus index one status after the other (lifecycle order), from the cursor's
   * position, until a page is full; then reads the page's items with one BatchGet.
   */
  private async listByStatus(statuses: readonly WorkStatus[], query: WorkQuery): Promise<Page<WorkItem>> {
    const scope = { list: 'work.byStatus', filters: { team: query.team, status: query.status } };
    const start = decodeCursor(query.cursor, scope, isStatusPosition(statuses, query.team));
    const wanted = query.limit + 1;
    const found: { status: number; entry: StoredItem }[] = [];
    let after: string | undefined = start?.a;
    for (let status = start?.s ?? 0; status < statuses.length && found.length < wanted; status += 1) {
      const entries = await this.statusEntries(
        statuses[status] as WorkStatus,
        query.team,
        after,
        wanted - found.length,
      );
      found.push(...entries.map((entry) => ({ status, entry })));
      after = undefined;
    }
    const page = found.slice(0, query.limit);
    const last = page.at(-1);
    const nextCursor =
      found.length > query.limit && last
        ? encodeCursor(scope, { s: last.status, a: String(last.entry[WorkIndex.byStatus.sortKey]) })
        : undefined;
    const stored = await itemsOfEntries(
      this.doc,
      this.tableName,
      page.map(({ entry }) => entry),
    );
    const items = stored
      .map(workFromItem)
      // The index trails the table a little; an item that left the asked status meanwhile is not shown.
      .filter((item) => query.status === undefined || item.status === query.status);
    return nextCursor === undefined ? { items } : { items, nextCursor };
  }

  /** The items an agent holds, from the byHolder index, narrowed by team and status when given. */
  private async listByHolder(agentId: string, query: WorkQuery): Promise<Page<WorkItem>> {
    const index = WorkIndex.byHolder;
    const scope = { list: 'work.byHolder', filters: { agentId, team: query.team, status: query.status } };
    const start = decodeCursor(query.cursor, scope, isHolderPosition(agentId));
    const expression = new Expression();
    const spec: QuerySpec = {
      TableName: this.tableName,
      IndexName: index.indexName,
      KeyConditionExpression: `${expression.name(index.partitionKey)} = ${expression.value(holderPartition(agentId))}`,
      FilterExpression: allOf(
        query.team !== undefined && `${expression.name('team')} = ${expression.value(query.team)}`,
        query.status !== undefined && `${expression.name('status')} = ${expression.value(query.status)}`,
      ),
      ...expression.attributes(),
    };
    return pageOf(await collect(this.doc, spec, query.limit + 1, { startKey: start?.k }), query, (item) =>
      encodeCursor(scope, { k: indexEntryKey(item, index) }),
    );
  }
}

/** The page of the first `limit` collected items, with the cursor of the last one when more follow. */
const pageOf = (
  collected: { items: StoredItem[] },
  request: PageRequest,
  cursorOf: (last: StoredItem) => string,
): Page<WorkItem> => {
  const kept = collected.items.slice(0, request.limit);
  const last = kept.at(-1);
  const items = kept.map(workFromItem);
  return collected.items.length > request.limit && last ? { items, nextCursor: cursorOf(last) } : { items };
};
