/**
 * Messages live, against the running local stack: two agents and a person (a `member` token)
 * talk on a work item over WebSocket. The thread goes to `work:<id>` subscribers, a mention and a
 * direct message reach the agent's own connection without a subscription, and a client that was
 * away replays the thread from its cursor.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, inject, it } from 'vitest';
import { createWork, registerAgent, stackClients, uniqueName } from '#test/support/e2e-fixtures';
import { type LiveMessage, liveClientsOf } from '#test/support/ws-client';

const stack = inject('localStack');
const live = liveClientsOf(stack.wsUrl);

interface MessageData {
  readonly id: string;
  readonly body: string;
  readonly from: { readonly type: string; readonly id: string };
  readonly workId?: string;
  readonly to?: string;
}

const saying =
  (body: string) =>
  (message: LiveMessage): boolean =>
    message.type === 'message' && (message.data as MessageData | undefined)?.body === body;

const dataOf = (message: LiveMessage): MessageData => message.data as MessageData;

describe('messages over WebSocket', () => {
  it('lets two agents and a member exchange messages on an item live', async () => {
    // Arrange: a builder watching the item, a reviewer watching nothing, a member watching the item
    const team = uniqueName('team');
    const [builder, reviewer] = [await registerAgent(team), await registerAgent(team)];
    const item = await createWork(team);
    const { admin } = stackClients();
    const issued = await admin.post<{ token: string }>('/v1/tokens', { role: 'member', team });
    expect(issued.status, issued.text).toBe(201);
    const person = admin.as(issued.body.token);
    const [builderLive, reviewerLive, personLive] = [
      await live(builder.token),
      await live(reviewer.token),
      await live(issued.body.token),
    ];
    await builderLive.subscribe([`work:${item.id}`]);
    await personLive.subscribe([`work:${item.id}`]);

    // Act: the person asks and mentions the reviewer; the builder answers; the person writes to the reviewer alone
    const question = await person.post<MessageData>(`/v1/work/${item.id}/messages`, {
      body: 'Is the migration safe to run twice?',
      mentions: [reviewer.id],
    });
    const answer = await builder.api.post<MessageData>(`/v1/work/${item.id}/messages`, {
      body: 'Yes: it checks the schema version first.',
    });
    const direct = await person.post<MessageData>(`/v1/agents/${reviewer.id}/messages`, {
      body: 'Please double-check the rollback.',
    });

    // Assert: each one arrives where it should, as plain data
    expect([question.status, answer.status, direct.status]).toEqual([201, 201, 201]);
    const heardByBuilder = await builderLive.waitFor(saying('Is the migration safe to run twice?'));
    const heardByReviewer = await reviewerLive.waitFor(saying('Is the migration safe to run twice?'));
    const answerHeard = await personLive.waitFor(saying('Yes: it checks the schema version first.'));
    const directHeard = await reviewerLive.waitFor(saying('Please double-check the rollback.'));
    expect(dataOf(heardByBuilder)).toMatchObject({ id: question.body.id, workId: item.id });
    expect(dataOf(heardByBuilder).from.type).toBe('member');
    expect(dataOf(heardByReviewer).id).toBe(question.body.id);
    expect(dataOf(answerHeard).from).toEqual({ type: 'agent', id: builder.id });
    expect(dataOf(directHeard)).toMatchObject({ id: direct.body.id, to: reviewer.id });
    expect(heardByBuilder.cursor).toEqual(expect.any(String));
    // The direct message never reaches the item's watchers: a later thread message does, alone.
    await person.post(`/v1/work/${item.id}/messages`, { body: 'Thanks both.' });
    await builderLive.waitFor(saying('Thanks both.'));
    await personLive.waitFor(saying('Thanks both.'));
    expect(builderLive.messages.some(saying('Please double-check the rollback.'))).toBe(false);
    expect(personLive.messages.some(saying('Please double-check the rollback.'))).toBe(false);
  });

  it('replays a thread message to a client that subscribes with an older cursor', async () => {
    const team = uniqueName('team');
    const builder = await registerAgent(team);
    const item = await createWork(team);
    const watcher = await live(builder.token);
    await watcher.subscribe([`work:${item.id}`]);
    await builder.api.post(`/v1/work/${item.id}/messages`, { body: 'first note' });
    const first = await watcher.waitFor(saying('first note'));
    watcher.close();

    await builder.api.post(`/v1/work/${item.id}/messages`, { body: 'while you were away' });
    // Replays read only events older than a second (REPLAY_SETTLE_MS).
    await delay(1_500);
    const back = await live(builder.token);
    back.send({ action: 'subscribe', channels: [`work:${item.id}`], after: first.cursor });
    const replayed = await back.waitFor(saying('while you were away'));

    expect(dataOf(replayed).workId).toBe(item.id);
  });
});
