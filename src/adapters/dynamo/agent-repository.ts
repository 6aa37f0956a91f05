import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor, isKeyOf, isObject } from '#core/cursor';
import type { Agent } from '#core/model';
import type { AgentQuery, AgentRepository, Page } from '#core/ports';
import { storeCall } from './errors';
import { Expression } from './expression';
import { AgentIndex, ALL_AGENTS_PARTITION, agentKey, agentTeamPartition, type IndexKeys, PK } from './keys';
import { collect, indexEntryKey, itemsOfEntries, type QuerySpec } from './query';
import { agentFromItem } from './records';

/** Where an agent list stopped: the last index entry returned. */
interface AgentPosition {
  readonly k: Record<string, string>;
}

/** A position in the partition the list reads. */
const isAgentPosition =
  (index: IndexKeys, partition: string) =>
  (value: unknown): value is AgentPosition =>
    isObject(value) &&
    isKeyOf(value.k, [PK, index.partitionKey, index.sortKey]) &&
    value.k[index.partitionKey] === partition;

/** Agents in the Agents table, listed by id from a keys-only index (one Query, one BatchGet). */
export class DynamoAgentRepository implements AgentRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(id: string): Promise<Agent | undefined> {
    const answer = await storeCall('GetItem', () =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: agentKey(id), ConsistentRead: true })),
    );
    return answer.Item ? agentFromItem(answer.Item) : undefined;
  }

  async list(query: AgentQuery): Promise<Page<Agent>> {
    const index = query.team === undefined ? AgentIndex.all : AgentIndex.byTeam;
    const partition = query.team === undefined ? ALL_AGENTS_PARTITION : agentTeamPartition(query.team);
    const scope = { list: 'agents', filters: { team: query.team } };
    const start = decodeCursor(query.cursor, scope, isAgentPosition(index, partition));
    const expression = new Expression();
    const spec: QuerySpec = {
      TableName: this.tableName,
      IndexName: index.indexName,
      KeyConditionExpression: `${expression.name(index.partitionKey)} = ${expression.value(partition)}`,
      ...expression.attributes(),
    };
    const { items: entries } = await collect(this.doc, spec, query.limit + 1, { startKey: start?.k });
    const page = entries.slice(0, query.limit);
    const items = (await itemsOfEntries(this.doc, this.tableName, page)).map(agentFromItem);
    const last = page.at(-1);
    if (entries.length <= query.limit || last === undefined) return { items };
    return { items, nextCursor: encodeCursor(scope, { k: indexEntryKey(last, index) }) };
  }
}
