import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type CursorScope, decodeCursor, encodeCursor, isObject } from '#core/cursor';
import type { Message, MessagePlace, MessageStore } from '#core/messages';
import type { Page, PageRequest } from '#core/ports';
import { isConditionFailure, storeCall, translateStoreError } from './errors';
import { Expression } from './expression';
import { messageInboxPartition, messageKey, messageThreadPartition, PK, readMarkerKey, SK } from './keys';
import { collect, type QuerySpec, type StoredItem } from './query';
import { EXPIRES_AT } from './records';

/** Where a message list stopped: the id of the last message returned. */
interface MessagePosition {
  readonly m: string;
}

const isMessagePosition = (value: unknown): value is MessagePosition =>
  isObject(value) && typeof value.m === 'string' && value.m !== '';

/** The partition a message row lives in. */
export const partitionOfPlace = (place: MessagePlace): string =>
  'workId' in place ? messageThreadPartition(place.workId) : messageInboxPartition(place.inbox);

/** The stored row of a message in one place, expiring at `expiresAt` (TTL). */
export const messageToItem = (message: Message, place: MessagePlace, expiresAt: string): StoredItem => ({
  ...message,
  ...messageKey(partitionOfPlace(place), message.id),
  [EXPIRES_AT]: Math.floor(Date.parse(expiresAt) / 1000),
});

/** The message a stored row holds. */
export const messageFromItem = (item: StoredItem): Message => {
  const { [PK]: _pk, [SK]: _sk, [EXPIRES_AT]: _expires, ...message } = item;
  return message as unknown as Message;
};

const MARKER = 'upTo';

/**
 * Messages in the Events table: a thread partition per work item and an inbox partition per
 * agent, each listed oldest first with one Query per page; an agent's read marker is one row
 * moved forward by one conditional write. Message rows are written by the unit of work, in the
 * transaction of their audit event.
 */
export class DynamoMessageStore implements MessageStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  thread(workId: string, page: PageRequest): Promise<Page<Message>> {
    return this.list(messageThreadPartition(workId), { list: 'messages', filters: { workId } }, page);
  }

  inbox(agentId: string, page: PageRequest & { readonly after?: string }): Promise<Page<Message>> {
    const scope = { list: 'inbox', filters: { agentId, after: page.after } };
    return this.list(messageInboxPartition(agentId), scope, page, page.after);
  }

  async readMarker(agentId: string): Promise<string | undefined> {
    const answer = await storeCall('GetItem', () =>
      this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: readMarkerKey(agentId), ConsistentRead: true }),
      ),
    );
    const marker = answer.Item?.[MARKER];
    return typeof marker === 'string' ? marker : undefined;
  }

  async markRead(agentId: string, upTo: string): Promise<string> {
    const expression = new Expression();
    const marker = expression.name(MARKER);
    const value = expression.value(upTo);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: readMarkerKey(agentId),
          UpdateExpression: `SET ${marker} = ${value}`,
          ConditionExpression: `attribute_not_exists(${marker}) OR ${marker} < ${value}`,
          ...expression.attributes(),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return upTo;
    } catch (error) {
      if (!isConditionFailure(error)) throw translateStoreError(error, 'UpdateItem');
      // The marker is already at or past `upTo`: the failed write reports where (no second read).
      const stored = (error as { Item?: Parameters<typeof unmarshall>[0] }).Item;
      const current = stored ? unmarshall(stored)[MARKER] : undefined;
      return typeof current === 'string' ? current : upTo;
    }
  }

  private async list(
    partition: string,
    scope: CursorScope,
    page: PageRequest,
    after?: string,
  ): Promise<Page<Message>> {
    const start = decodeCursor(page.cursor, scope, isMessagePosition);
    const from = start?.m ?? after;
    const expression = new Expression();
    const key = `${expression.name(PK)} = ${expression.value(partition)}`;
    const spec: QuerySpec = {
      TableName: this.tableName,
      KeyConditionExpression:
        from === undefined ? key : `${key} AND ${expression.name(SK)} > ${expression.value(from)}`,
      ConsistentRead: true,
      ...expression.attributes(),
    };
    const { items: rows } = await collect(this.doc, spec, page.limit + 1);
    const items = rows.slice(0, page.limit).map(messageFromItem);
    const last = items.at(-1);
    if (rows.length <= page.limit || last === undefined) return { items };
    return { items, nextCursor: encodeCursor(scope, { m: last.id }) };
  }
}
