import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor, isIndexBelow, isKeyOf, isObject } from '#core/cursor';
import {
  ESCALATION_STATUSES,
  type Escalation,
  type EscalationStatus,
  parseEscalationId,
} from '#core/escalations/escalation';
import type { EscalationQuery, EscalationRepository, Page } from '#core/ports';
import { storeCall } from './errors';
import {
  EscalationIndex,
  escalationKey,
  escalationPartition,
  escalationStatusPartition,
  escalationTeamPartition,
} from './escalation-keys';
import { escalationFromItem } from './escalation-records';
import { Expression } from './expression';
import { type IndexKeys, PK, SK } from './keys';
import { batchGet, collect, type QuerySpec, type StoredItem } from './query';

/** Escalations one work item may have at most that a history read returns (far above any real count). */
const MAX_HISTORY = 1000;

/** Where a list stopped: the status it was in and the last index entry returned. */
interface ListPosition {
  readonly s: number;
  readonly k: Record<string, string>;
}

/** A position inside the statuses walked, in that status's partition of the index read. */
const isListPosition =
  (index: IndexKeys, partitionOf: (status: number) => string, statuses: number) =>
  (value: unknown): value is ListPosition =>
    isObject(value) &&
    isIndexBelow(value.s, statuses) &&
    isKeyOf(value.k, [PK, SK, index.partitionKey, index.sortKey]) &&
    value.k[index.partitionKey] === partitionOf(value.s);

const entryKey = (entry: StoredItem, index: IndexKeys): Record<string, string> => ({
  [PK]: String(entry[PK]),
  [SK]: String(entry[SK]),
  [index.partitionKey]: String(entry[index.partitionKey]),
  [index.sortKey]: String(entry[index.sortKey]),
});

/** Escalations in the Escalations table; lists read an index, never a scan. */
export class DynamoEscalationRepository implements EscalationRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(id: string): Promise<Escalation | undefined> {
    const named = parseEscalationId(id);
    if (!named) return undefined;
    const answer = await storeCall('GetItem', () =>
      this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: escalationKey(named.workId, named.kind, named.number),
          ConsistentRead: true,
        }),
      ),
    );
    return answer.Item ? escalationFromItem(answer.Item) : undefined;
  }

  async ofWork(workId: string): Promise<Escalation[]> {
    const expression = new Expression();
    const spec: QuerySpec = {
      TableName: this.tableName,
      KeyConditionExpression: `${expression.name(PK)} = ${expression.value(escalationPartition(workId))}`,
      ...expression.attributes(),
      ConsistentRead: true,
    };
    const { items } = await collect(this.doc, spec, MAX_HISTORY);
    return items.map(escalationFromItem);
  }

  /**
   * Walks the statuses asked for (open first) through the status or team index, newest first,
   * from the cursor's position until a page is full; then reads the page's escalations.
   */
  async list(query: EscalationQuery): Promise<Page<Escalation>> {
    const statuses = query.status === undefined ? ESCALATION_STATUSES : [query.status];
    const index = query.team === undefined ? EscalationIndex.byStatus : EscalationIndex.byTeam;
    const scope = { list: 'escalations', filters: { team: query.team, status: query.status } };
    const partitionOf = (status: number) => this.partition(statuses[status] as EscalationStatus, query.team);
    const start = decodeCursor(query.cursor, scope, isListPosition(index, partitionOf, statuses.length));
    const wanted = query.limit + 1;
    const found: { status: number; entry: StoredItem }[] = [];
    let startKey: Record<string, string> | undefined = start?.k;
    for (let status = start?.s ?? 0; status < statuses.length && found.length < wanted; status += 1) {
      const spec = this.indexSpec(index, statuses[status] as EscalationStatus, query.team);
      const { items } = await collect(this.doc, spec, wanted - found.length, { startKey });
      found.push(...items.map((entry) => ({ status, entry })));
      startKey = undefined;
    }
    const page = found.slice(0, query.limit);
    const last = page.at(-1);
    const nextCursor =
      found.length > query.limit && last
        ? encodeCursor(scope, { s: last.status, k: entryKey(last.entry, index) })
        : undefined;
    const items = (await this.read(page.map(({ entry }) => entry)))
      // The index trails the table a little; one that changed status meanwhile is not shown.
      .filter((escalation) => query.status === undefined || escalation.status === query.status);
    return nextCursor === undefined ? { items } : { items, nextCursor };
  }

  private partition(status: EscalationStatus, team: string | undefined): string {
    return team === undefined ? escalationStatusPartition(status) : escalationTeamPartition(team, status);
  }

  private indexSpec(index: IndexKeys, status: EscalationStatus, team: string | undefined): QuerySpec {
    const expression = new Expression();
    const partition = this.partition(status, team);
    return {
      TableName: this.tableName,
      IndexName: index.indexName,
      KeyConditionExpression: `${expression.name(index.partitionKey)} = ${expression.value(partition)}`,
      ...expression.attributes(),
      ScanIndexForward: false,
    };
  }

  /** The escalations that keys-only entries point at, in the entries' order. */
  private async read(entries: readonly StoredItem[]): Promise<Escalation[]> {
    const keyOf = (item: StoredItem) => `${String(item[PK])}\n${String(item[SK])}`;
    const stored = await batchGet(
      this.doc,
      this.tableName,
      entries.map((entry) => ({ [PK]: entry[PK], [SK]: entry[SK] })),
    );
    const byKey = new Map(stored.map((item) => [keyOf(item), item]));
    return entries.flatMap((entry) => {
      const item = byKey.get(keyOf(entry));
      return item ? [escalationFromItem(item)] : [];
    });
  }
}
