import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEventImage } from '#adapters/dynamo/index';
import { messageInboxPartition, messageKey, messageThreadPartition } from '#adapters/dynamo/keys';
import { messageToItem } from '#adapters/dynamo/message-store';
import { eventsTable, tableName } from '#adapters/dynamo/tables';
import { createIdGenerator } from '#adapters/system/ids';
import { ValidationError } from '#core/errors';
import type { Message, MessagePlace } from '#core/messages';
import { ActorType } from '#core/roles';
import { unique } from '#test/support/builders';
import { fixedClock } from '#test/support/clock';
import { createTestStore, type TestStore } from '#test/support/dynamo';

let store: TestStore;

beforeAll(async () => {
  // Real time: DynamoDB Local deletes rows whose TTL lies in the real past.
  store = await createTestStore('messages', { clock: fixedClock(new Date().toISOString()) });
});

afterAll(async () => {
  await store.cleanup();
});

const ids = () => createIdGenerator({ clock: store.clock });
/** Every row's expiry: a day from the real now (DynamoDB Local deletes rows whose TTL has passed). */
const EXPIRES_AT = new Date(Date.now() + 86_400_000).toISOString();

/** Posts `bodies` in order (each a second later, so ids sort as posted) to the places given. */
const post = async (
  bodies: readonly string[],
  target: { workId?: string; to?: string },
): Promise<Message[]> => {
  const posted: Message[] = [];
  for (const body of bodies) {
    store.clock.advance(1);
    const message: Message = {
      id: ids().messageId(),
      at: store.clock.now().toISOString(),
      from: { type: ActorType.Admin, id: 'admin' },
      body,
      mentions: [],
      team: 'core',
      ...target,
    };
    const places: MessagePlace[] = [
      ...(target.workId ? [{ workId: target.workId }] : []),
      ...(target.to ? [{ inbox: target.to }] : []),
    ];
    await store.ports.uow.commit({
      writes: places.map((place) => ({ kind: 'message', message, place, expiresAt: EXPIRES_AT })),
      events: [],
    });
    posted.push(message);
  }
  return posted;
};

describe('DynamoMessageStore', () => {
  it('keeps a thread row with its expiry in epoch seconds, and lists the thread oldest first', async () => {
    const workId = `wi_${unique()}`;
    const posted = await post(['one', 'two', 'three'], { workId });

    const first = await store.ports.messages.thread(workId, { limit: 2 });
    const second = await store.ports.messages.thread(workId, { limit: 2, cursor: first.nextCursor });
    const doc = DynamoDBDocumentClient.from(store.client);
    const row = await doc.send(
      new GetCommand({
        TableName: tableName(store.tablePrefix, eventsTable),
        Key: messageKey(messageThreadPartition(workId), posted[0]?.id ?? ''),
      }),
    );

    expect(first.items.map((m) => m.body)).toEqual(['one', 'two']);
    expect(second.items.map((m) => m.body)).toEqual(['three']);
    expect(second.nextCursor).toBeUndefined();
    expect(first.items[0]).toEqual(posted[0]);
    expect(row.Item?.expiresAt).toBe(Math.floor(Date.parse(EXPIRES_AT) / 1000));
  });

  it('lists an inbox after the read marker, which moves forward only', async () => {
    const agentId = `agent-${unique()}`;
    const posted = await post(['a', 'b', 'c'], { to: agentId });
    const [a, b] = posted.map((m) => m.id);

    const none = await store.ports.messages.readMarker(agentId);
    const marked = await store.ports.messages.markRead(agentId, b ?? '');
    const back = await store.ports.messages.markRead(agentId, a ?? '');
    const marker = await store.ports.messages.readMarker(agentId);
    const unread = await store.ports.messages.inbox(agentId, { limit: 10, ...(marker && { after: marker }) });

    expect(none).toBeUndefined();
    expect(marked).toBe(b);
    expect(back).toBe(b);
    expect(marker).toBe(b);
    expect(unread.items.map((m) => m.body)).toEqual(['c']);
  });

  it('refuses a cursor of another list', async () => {
    const workId = `wi_${unique()}`;
    await post(['x', 'y'], { workId });
    const page = await store.ports.messages.thread(workId, { limit: 1 });

    await expect(
      store.ports.messages.inbox(`agent-${unique()}`, { limit: 1, cursor: page.nextCursor }),
    ).rejects.toThrow(ValidationError);
  });

  it('writes rows the stream consumers do not take for audit events', () => {
    const message: Message = {
      id: 'msg_01',
      at: '2026-03-02T09:00:00.000Z',
      from: { type: ActorType.Admin, id: 'admin' },
      body: 'hi',
      mentions: [],
      team: 'core',
      to: 'a1',
    };

    const image = marshall(messageToItem(message, { inbox: 'a1' }, '2026-04-01T00:00:00.000Z'));

    expect(image.pk?.S).toBe(messageInboxPartition('a1'));
    expect(isEventImage(image as Record<string, unknown>)).toBe(false);
  });
});
